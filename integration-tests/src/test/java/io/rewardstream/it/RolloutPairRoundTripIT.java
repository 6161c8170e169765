package io.rewardstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.avro.RolloutPair;
import io.rewardstream.schemas.Topic;
import io.rewardstream.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proves the test harness and the wire format together: 10,000 {@link RolloutPair}s written with
 * the real single-object-encoding serde by a transactional producer come back from a real broker,
 * under {@code read_committed}, equal in every field and in per-partition order, while a batch from
 * an aborted transaction never shows up.
 */
class RolloutPairRoundTripIT {

  private static final Logger log = LoggerFactory.getLogger(RolloutPairRoundTripIT.class);

  static final int PAIRS = 10_000;
  private static final int PER_TRANSACTION = 1_000;
  private static final int ABORTED = 500;
  private static final Duration CONSUME_DEADLINE = Duration.ofSeconds(60);

  @RegisterExtension
  static final KafkaClusterExtension kafka = KafkaClusterExtension.fromSystemProperties();

  @Test
  void tenThousandPairsRoundTripExactlyOnceUnderReadCommitted() throws Exception {
    roundTrip(kafka, PAIRS);
  }

  /**
   * The round trip against whatever cluster {@code kafka} provides; shared with the Testcontainers
   * variant.
   */
  static void roundTrip(KafkaClusterExtension kafka, int pairs) throws Exception {
    // Step 1: a fresh three-partition topic typed like the real rollouts topic.
    Topic<String, RolloutPair> topic =
        Topics.ROLLOUTS.withName(kafka.createTopic("rollouts-roundtrip", 3));

    // Step 2: produce the pairs in committed transactions, with one aborted batch in the middle.
    long started = System.nanoTime();
    Map<Integer, List<RolloutPair>> sentByPartition = produce(kafka, topic, pairs);
    long produced = System.nanoTime();

    // Step 3: read everything back with read_committed and compare, partition by partition.
    Map<Integer, List<ConsumerRecord<String, RolloutPair>>> received = consumeAll(kafka, topic);
    log.info(
        "{} pairs: produced in {} ms, consumed in {} ms",
        pairs,
        Duration.ofNanos(produced - started).toMillis(),
        Duration.ofNanos(System.nanoTime() - produced).toMillis());

    assertThat(received.values().stream().mapToInt(List::size).sum()).isEqualTo(pairs);
    assertThat(received.keySet()).isEqualTo(sentByPartition.keySet());
    sentByPartition.forEach(
        (partition, sent) -> {
          List<ConsumerRecord<String, RolloutPair>> got = received.get(partition);
          assertThat(got).allSatisfy(r -> assertThat(r.key()).isEqualTo(r.value().getRolloutId()));
          // RolloutPair.equals compares every schema field, nested chat messages and map included.
          assertThat(got.stream().map(ConsumerRecord::value).toList())
              .as("partition %d, in order", partition)
              .containsExactlyElementsOf(sent);
        });
  }

  private static Map<Integer, List<RolloutPair>> produce(
      KafkaClusterExtension kafka, Topic<String, RolloutPair> topic, int pairs)
      throws InterruptedException, ExecutionException {
    Map<String, Object> config = kafka.clientConfig();
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "roundtrip-" + UUID.randomUUID());
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    List<RolloutPair> sent = new ArrayList<>();
    try (KafkaProducer<String, RolloutPair> producer =
        new KafkaProducer<>(
            config, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
      producer.initTransactions();
      for (int first = 0; first < pairs; first += PER_TRANSACTION) {
        if (first == pairs / 2) {
          sendAbortedBatch(producer, topic);
        }
        producer.beginTransaction();
        for (int i = first; i < Math.min(pairs, first + PER_TRANSACTION); i++) {
          RolloutPair pair = RolloutPairs.pair("committed", i);
          sent.add(pair);
          acks.add(producer.send(new ProducerRecord<>(topic.name(), pair.getRolloutId(), pair)));
        }
        producer.commitTransaction();
      }
    }
    Map<Integer, List<RolloutPair>> byPartition = new HashMap<>();
    for (int i = 0; i < sent.size(); i++) {
      byPartition
          .computeIfAbsent(acks.get(i).get().partition(), p -> new ArrayList<>())
          .add(sent.get(i));
    }
    return byPartition;
  }

  private static void sendAbortedBatch(
      KafkaProducer<String, RolloutPair> producer, Topic<String, RolloutPair> topic) {
    producer.beginTransaction();
    for (int i = 0; i < ABORTED; i++) {
      RolloutPair pair = RolloutPairs.pair("aborted", i);
      producer.send(new ProducerRecord<>(topic.name(), pair.getRolloutId(), pair));
    }
    producer.flush(); // the records reach the log, so read_committed has something to hide
    producer.abortTransaction();
  }

  private static Map<Integer, List<ConsumerRecord<String, RolloutPair>>> consumeAll(
      KafkaClusterExtension kafka, Topic<String, RolloutPair> topic) {
    Map<String, Object> config = kafka.clientConfig();
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
    Map<Integer, List<ConsumerRecord<String, RolloutPair>>> byPartition = new HashMap<>();
    try (KafkaConsumer<String, RolloutPair> consumer =
        new KafkaConsumer<>(
            config, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic.name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      // Under read_committed the end offsets are the last stable offsets: all of them are
      // reached once every committed record (and the aborted batch's markers) is read.
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + CONSUME_DEADLINE.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        assertThat(System.nanoTime())
            .as("consumed everything within the deadline")
            .isLessThan(deadline);
        for (ConsumerRecord<String, RolloutPair> record : consumer.poll(Duration.ofMillis(200))) {
          byPartition.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record);
        }
      }
    }
    return byPartition;
  }
}
