package io.rewardstream.bench;

import io.rewardstream.app.AppConfig;
import io.rewardstream.app.RewardStreamApp;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.broker.EmbeddedKafkaBroker;
import io.rewardstream.judge.Judge;
import io.rewardstream.judge.PairInput;
import io.rewardstream.kafka.KafkaConnection;
import io.rewardstream.kafka.TopicCreator;
import io.rewardstream.schemas.AvroSerdes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One run of the real pipeline ({@link RewardStreamApp}: the production topology, EOS v2, the
 * changelogged batch buffer) on an embedded broker: send pairs, wait until a result (or dead
 * letter) for each is committed, and time it.
 *
 * <p>Each run gets its own topics and application id, so runs never see each other's records. The
 * clock starts at the first send and stops when the last output is read by a {@code read_committed}
 * consumer: what a caller of the pipeline would see.
 */
final class PipelineBench {

  /**
   * One run's outcome.
   *
   * @param ms first send to last committed output
   * @param latenciesMs per pair, send to committed result (read by the consumer)
   * @param preferred verdict (A, B, TIE) per rollout id, for comparing with the bare judge
   * @param deadLetters outputs on the dead-letter topic
   * @param startNanos System.nanoTime() of the first send
   */
  record Run(
      double ms,
      List<Double> latenciesMs,
      Map<String, String> preferred,
      int deadLetters,
      long startNanos) {}

  private final EmbeddedKafkaBroker broker;
  private final int batchSize;
  private final long batchMaxWaitMs;
  private final int partitions;
  private final int threads;
  private final Map<String, String> appSettings;
  private int runs;

  /**
   * @param appSettings more app or Kafka Streams keys for every run (e.g. {@code poll.ms}); they
   *     win over the bench's own
   */
  PipelineBench(
      EmbeddedKafkaBroker broker,
      int batchSize,
      long batchMaxWaitMs,
      int partitions,
      int threads,
      Map<String, String> appSettings) {
    this.broker = broker;
    this.batchSize = batchSize;
    this.batchMaxWaitMs = batchMaxWaitMs;
    this.partitions = partitions;
    this.threads = threads;
    this.appSettings = Map.copyOf(appSettings);
  }

  /**
   * Starts the app with a new judge, sends the pairs ({@code pairsPerSecond} ≤ 0: as fast as the
   * producer goes; otherwise paced), waits for every output, stops the app.
   */
  Run run(Supplier<Judge> judge, String mode, List<PairInput> pairs, double pairsPerSecond) {
    String name = "bench-" + (++runs) + "-" + System.nanoTime();
    String input = name + "-rollouts";
    String output = name + "-rewards";
    String dlq = name + "-dlq";
    String warmUp = name + "-producer-warm-up";
    TopicCreator.createTopics(
        KafkaConnection.of(broker.bootstrapServers()),
        Map.of(input, partitions, output, partitions, dlq, partitions, warmUp, 1),
        Optional.of((short) 1));
    Path stateDir = tempDir();
    AppConfig config = config(name, input, output, dlq, mode, stateDir);
    try (RewardStreamApp app = RewardStreamApp.start(config, judge.get());
        KafkaConsumer<byte[], byte[]> reader = reader(output, dlq);
        KafkaProducer<byte[], byte[]> producer = producer()) {
      // The load generator's own start (metadata, producer id) is not the pipeline's time: one
      // record to a side topic before the clock starts, and the input topic's metadata.
      producer.send(new ProducerRecord<>(warmUp, new byte[0]));
      producer.flush();
      producer.partitionsFor(input);
      app.awaitRunning(Duration.ofSeconds(120));
      return sendAndCollect(producer, input, output, pairs, pairsPerSecond, reader);
    } finally {
      deleteRecursively(stateDir);
    }
  }

  private Run sendAndCollect(
      KafkaProducer<byte[], byte[]> producer,
      String input,
      String output,
      List<PairInput> pairs,
      double pairsPerSecond,
      KafkaConsumer<byte[], byte[]> reader) {
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    long start = System.nanoTime();
    Thread sender =
        new Thread(() -> send(producer, input, pairs, pairsPerSecond, sentAt), "bench-producer");
    sender.start();
    Map<String, String> preferred = new HashMap<>();
    List<Double> latencies = new ArrayList<>();
    int deadLetters = 0;
    long last = start;
    long deadline = start + Duration.ofMinutes(10).toNanos();
    while (preferred.size() + deadLetters < pairs.size() && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(5))) {
        long now = System.nanoTime();
        last = now;
        String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
        Long sent = sentAt.get(key);
        if (sent != null) {
          latencies.add((now - sent) / 1e6);
        }
        if (record.topic().equals(output)) {
          RewardResult result =
              AvroSerdes.rewardResult().deserializer().deserialize(output, record.value());
          preferred.put(key, result.getPreferred().name());
        } else {
          deadLetters++;
        }
      }
    }
    join(sender);
    if (preferred.size() + deadLetters < pairs.size()) {
      throw new IllegalStateException(
          "pipeline gave " + (preferred.size() + deadLetters) + " of " + pairs.size() + " outputs");
    }
    return new Run((last - start) / 1e6, latencies, preferred, deadLetters, start);
  }

  private static void send(
      KafkaProducer<byte[], byte[]> producer,
      String topic,
      List<PairInput> pairs,
      double rate,
      Map<String, Long> sentAt) {
    long start = System.nanoTime();
    for (int i = 0; i < pairs.size(); i++) {
      if (rate > 0) {
        pace(start + (long) (i * 1e9 / rate));
      }
      PairInput pair = pairs.get(i);
      byte[] value = AvroSerdes.rolloutPair().serializer().serialize(topic, rollout(pair));
      sentAt.put(pair.rolloutId(), System.nanoTime());
      producer.send(
          new ProducerRecord<>(topic, pair.rolloutId().getBytes(StandardCharsets.UTF_8), value));
      if (rate > 0) {
        producer.flush(); // paced: each pair leaves now, not when linger.ms expires
      }
    }
    producer.flush();
  }

  private static void pace(long untilNanos) {
    long wait;
    while ((wait = untilNanos - System.nanoTime()) > 0) {
      try {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static RolloutPair rollout(PairInput pair) {
    return RolloutPair.newBuilder()
        .setRolloutId(pair.rolloutId())
        .setPrompt(pair.prompt())
        .setResponseA(pair.responseA())
        .setResponseB(pair.responseB())
        .setPolicyVersion("bench")
        .setProducedAt(Instant.now())
        .build();
  }

  private AppConfig config(
      String name, String input, String output, String dlq, String mode, Path stateDir) {
    Properties p = new Properties();
    p.setProperty(AppConfig.APPLICATION_ID, name);
    p.setProperty(AppConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
    p.setProperty(AppConfig.TOPIC_INPUT, input);
    p.setProperty(AppConfig.TOPIC_OUTPUT, output);
    p.setProperty(AppConfig.TOPIC_DLQ, dlq);
    p.setProperty(AppConfig.BATCH_SIZE, Integer.toString(batchSize));
    p.setProperty(AppConfig.BATCH_MAX_WAIT_MS, Long.toString(batchMaxWaitMs));
    p.setProperty(AppConfig.STATE_DIR, stateDir.toString());
    p.setProperty(AppConfig.JUDGE_MODE, mode);
    p.setProperty(AppConfig.INFERENCE_INTRA_OP_THREADS, Integer.toString(threads));
    appSettings.forEach(p::setProperty);
    return AppConfig.fromProperties(p);
  }

  private KafkaProducer<byte[], byte[]> producer() {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** A group-less read_committed reader of the output and dead-letter topics, from their ends. */
  private KafkaConsumer<byte[], byte[]> reader(String output, String dlq) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> assigned = new ArrayList<>();
    for (String topic : List.of(output, dlq)) {
      for (int p = 0; p < partitions; p++) {
        assigned.add(new TopicPartition(topic, p));
      }
    }
    consumer.assign(assigned);
    consumer.seekToBeginning(assigned);
    assigned.forEach(consumer::position);
    return consumer;
  }

  private static void join(Thread thread) {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static Path tempDir() {
    try {
      return Files.createTempDirectory("rewardstream-bench-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a state directory", e);
    }
  }

  static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
