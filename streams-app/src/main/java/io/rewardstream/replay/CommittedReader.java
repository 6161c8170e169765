package io.rewardstream.replay;

import io.rewardstream.avro.RewardResult;
import io.rewardstream.kafka.KafkaConnection;
import io.rewardstream.schemas.WireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Group-less read_committed reading of raw records: what replay and compare see is exactly what
 * committed transactions wrote (results of an aborted batch never show).
 */
public final class CommittedReader {

  private static final Duration POLL = Duration.ofMillis(200);

  private CommittedReader() {}

  /** A read_committed consumer without a group (assign, no offset commits). */
  public static KafkaConsumer<byte[], byte[]> consumer(KafkaConnection connection, int maxPoll) {
    Map<String, Object> config = connection.clientConfig();
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPoll);
    // Records deleted by retention while being read: go on from the new log start, never jump to
    // the end (which would silently skip the rest of a replay range).
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // A misspelt topic must be reported, not created empty by the broker.
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, "rewardstream-replay-reader");
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** The topic's partitions; throws naming the topic when it does not exist. */
  public static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
    var infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
    if (infos == null || infos.isEmpty()) {
      throw new ReplayException("topic '" + topic + "' does not exist on the cluster");
    }
    return infos.stream()
        .map(p -> new TopicPartition(topic, p.partition()))
        .sorted(java.util.Comparator.comparingInt(TopicPartition::partition))
        .toList();
  }

  /**
   * Reads every committed record of the topic, from the log start to the end offsets as of now (for
   * read_committed these are the last stable offsets), and hands each to {@code sink}.
   *
   * @return the number of records read
   */
  public static long readToEnd(
      KafkaConnection connection, String topic, Consumer<ConsumerRecord<byte[], byte[]>> sink) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(connection, 2000)) {
      List<TopicPartition> partitions = partitions(consumer, topic);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long read = 0;
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
          if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
            sink.accept(record);
            read++;
          }
        }
      }
      return read;
    }
  }

  /**
   * The committed results of a rewards topic by rollout_id (the last record of a key wins, as in a
   * compacted topic).
   *
   * @param results rollout_id -> result
   * @param records records read
   * @param duplicateKeys records whose key was already seen
   * @param undecodable records that are not RewardResults (skipped)
   */
  public record Results(
      Map<String, RewardResult> results, long records, long duplicateKeys, long undecodable) {}

  /**
   * Reads a rewards topic to its end (read_committed) and indexes it by rollout_id; values in
   * either wire format where the format has a registry.
   */
  public static Results readResults(KafkaConnection connection, WireFormat wire, String topic) {
    Map<String, RewardResult> byId = new HashMap<>();
    long[] counts = new long[3]; // records, duplicate keys, undecodable
    readToEnd(
        connection,
        topic,
        r -> {
          counts[0]++;
          RewardResult result;
          try {
            result = wire.rewardResult().deserializer().deserialize(topic, r.value());
          } catch (RuntimeException e) {
            counts[2]++;
            return;
          }
          if (result == null) {
            counts[2]++;
            return;
          }
          String id =
              r.key() == null ? result.getRolloutId() : new String(r.key(), StandardCharsets.UTF_8);
          if (byId.put(id, result) != null) {
            counts[1]++;
          }
        });
    return new Results(byId, counts[0], counts[1], counts[2]);
  }
}
