package io.rewardstream.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rewardstream.app.AppConfig;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.it.KafkaClusterExtension;
import io.rewardstream.schemas.AvroSerdes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What the pipeline ITs share: the real bundled judge, held-out pairs as input, a producer of raw
 * records, and a read_committed reader that collects until a count is reached.
 */
final class Pipelines {

  /** System property pointing the ITs at another model directory than models/judge-tiny. */
  static final String JUDGE_DIR_PROPERTY = "rewardstream.judge.dir";

  private static final ObjectMapper JSON = new ObjectMapper();

  private Pipelines() {}

  /** The bundled judge (the real trained model; no fake judge in these tests). */
  static Path judgeDir() {
    String configured = System.getProperty(JUDGE_DIR_PROPERTY, "").trim();
    Path dir =
        configured.isEmpty()
            ? Path.of(System.getProperty("rewardstream.repo.root", ".."))
                .resolve("models/judge-tiny")
            : Path.of(configured);
    dir = dir.toAbsolutePath().normalize();
    assertThat(dir.resolve("model.onnx")).as("the bundled judge model").isRegularFile();
    return dir;
  }

  /**
   * {@code n} pairs made from the judge's held-out file (cycled), ids {@code prefix-0000...}; the
   * chosen response is A for even i and B for odd i.
   */
  static List<RolloutPair> heldoutPairs(String prefix, int n) {
    List<JsonNode> rows = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(judgeDir().resolve("heldout.jsonl"))) {
        if (!line.isBlank()) {
          rows.add(JSON.readTree(line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<RolloutPair> pairs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      JsonNode row = rows.get(i % rows.size());
      boolean chosenFirst = i % 2 == 0;
      String chosen = row.get("chosen").asText();
      String rejected = row.get("rejected").asText();
      pairs.add(
          RolloutPair.newBuilder()
              .setRolloutId(String.format("%s-%04d", prefix, i))
              .setPrompt(row.get("prompt").asText())
              .setResponseA(chosenFirst ? chosen : rejected)
              .setResponseB(chosenFirst ? rejected : chosen)
              .setPolicyVersion("policy-" + i % 3)
              .setProducedAt(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i))
              .setMetadata(Map.of("source", row.get("id").asText()))
              .build());
    }
    return pairs;
  }

  /**
   * An app config for a test: greedy mode unless given, small batches, its own state directory.
   *
   * @param extra more keys, in pairs: key, value, key, value...
   */
  static AppConfig config(
      KafkaClusterExtension kafka,
      String appId,
      Topics topics,
      int batchSize,
      Path stateDir,
      String... extra) {
    Properties p = new Properties();
    p.setProperty(AppConfig.APPLICATION_ID, appId);
    p.setProperty(AppConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    p.setProperty(AppConfig.TOPIC_INPUT, topics.input());
    p.setProperty(AppConfig.TOPIC_OUTPUT, topics.output());
    p.setProperty(AppConfig.TOPIC_DLQ, topics.dlq());
    p.setProperty(AppConfig.BATCH_SIZE, Integer.toString(batchSize));
    p.setProperty(AppConfig.BATCH_MAX_WAIT_MS, "500");
    p.setProperty(AppConfig.JUDGE_DIR, judgeDir().toString());
    p.setProperty(AppConfig.JUDGE_MODE, "greedy");
    p.setProperty(AppConfig.STATE_DIR, stateDir.toString());
    // A member that vanished is noticed in 6 s (the broker's minimum), not 45 s.
    p.setProperty("consumer.session.timeout.ms", "6000");
    p.setProperty("consumer.heartbeat.interval.ms", "1000");
    for (int i = 0; i < extra.length; i += 2) {
      p.setProperty(extra[i], extra[i + 1]);
    }
    return AppConfig.fromProperties(p);
  }

  /**
   * Writes a config file for an app in a child JVM ({@link AppProcess}) with the settings of {@code
   * config}; its state.dir only when set (unset: each process claims its own directory).
   */
  static Path writeConfig(Path dir, AppConfig config) {
    Properties p = new Properties();
    p.setProperty(AppConfig.APPLICATION_ID, config.applicationId());
    p.setProperty(AppConfig.BOOTSTRAP_SERVERS, config.bootstrapServers());
    p.setProperty(AppConfig.TOPIC_INPUT, config.inputTopic());
    p.setProperty(AppConfig.TOPIC_OUTPUT, config.outputTopic());
    p.setProperty(AppConfig.TOPIC_DLQ, config.dlqTopic());
    p.setProperty(AppConfig.BATCH_SIZE, Integer.toString(config.batchSize()));
    p.setProperty(AppConfig.BATCH_MAX_WAIT_MS, Long.toString(config.batchMaxWaitMs()));
    p.setProperty(AppConfig.JUDGE_DIR, config.judgeDir().toString());
    p.setProperty(AppConfig.JUDGE_MODE, config.judgeMode());
    if (config.judgeSamples() != 0) {
      p.setProperty(AppConfig.JUDGE_SAMPLES, Integer.toString(config.judgeSamples()));
    }
    if (config.stateDir() != null) {
      p.setProperty(AppConfig.STATE_DIR, config.stateDir());
    }
    p.setProperty(AppConfig.POISON_MAX_ATTEMPTS, Integer.toString(config.poisonMaxAttempts()));
    if (config.groups().enabled()) {
      p.setProperty(AppConfig.GROUPS_ENABLED, "true");
      p.setProperty(AppConfig.TOPIC_GROUPS_INPUT, config.groups().inputTopic());
      p.setProperty(AppConfig.TOPIC_GROUPS_OUTPUT, config.groups().outputTopic());
      p.setProperty(AppConfig.GROUP_STRATEGY, config.groups().strategy().id());
    }
    p.putAll(config.kafkaProperties());
    Path file = dir.resolve("app.properties");
    try (java.io.Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(out, "written by Pipelines.writeConfig");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** The three topics of one test, uniquely named. */
  record Topics(String input, String output, String dlq) {
    static Topics create(KafkaClusterExtension kafka, String test, int partitions) {
      return new Topics(
          kafka.createTopic(test + "-rollouts", partitions),
          kafka.createTopic(test + "-rewards", partitions),
          kafka.createTopic(test + "-dlq", partitions));
    }
  }

  /** A raw record to send: key and value bytes, either may be null. */
  record Raw(byte[] key, byte[] value) {
    static Raw of(RolloutPair pair) {
      return new Raw(
          pair.getRolloutId().getBytes(StandardCharsets.UTF_8),
          AvroSerdes.rolloutPair().serializer().serialize("it", pair));
    }

    static Raw of(String key, byte[] value) {
      return new Raw(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
    }
  }

  static List<Raw> raw(List<RolloutPair> pairs) {
    return pairs.stream().map(Raw::of).toList();
  }

  /** Sends the records in order, idempotently, and waits for every ack. */
  static void produce(KafkaClusterExtension kafka, String topic, List<Raw> records) {
    Map<String, Object> config = kafka.clientConfig();
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (Raw record : records) {
        producer.send(new ProducerRecord<>(topic, record.key(), record.value()));
      }
      producer.flush();
    }
  }

  /**
   * Reads a topic from the beginning under read_committed until {@code until} holds for what was
   * read, then keeps reading for {@code settle} so that a record too many would show up too.
   *
   * @throws AssertionError if {@code until} does not hold within {@code deadline}
   */
  static <V> List<ConsumerRecord<String, V>> readCommitted(
      KafkaClusterExtension kafka,
      String topic,
      Deserializer<V> values,
      Predicate<List<ConsumerRecord<String, V>>> until,
      Duration deadline,
      Duration settle) {
    List<ConsumerRecord<String, V>> read = new ArrayList<>();
    try (KafkaConsumer<String, V> consumer = committedFromBeginning(kafka, topic, values)) {
      long end = System.nanoTime() + deadline.toNanos();
      while (!until.test(read)) {
        assertThat(System.nanoTime())
            .as("%s: condition not met in %s; read %d records", topic, deadline, read.size())
            .isLessThan(end);
        consumer.poll(Duration.ofMillis(200)).forEach(read::add);
      }
      long settled = System.nanoTime() + settle.toNanos();
      while (System.nanoTime() < settled) {
        consumer.poll(Duration.ofMillis(200)).forEach(read::add);
      }
    }
    return read;
  }

  /** A group-less read_committed consumer of every partition of the topic, at the beginning. */
  private static <V> KafkaConsumer<String, V> committedFromBeginning(
      KafkaClusterExtension kafka, String topic, Deserializer<V> values) {
    Map<String, Object> config = kafka.clientConfig();
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    KafkaConsumer<String, V> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), values);
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer;
  }

  /**
   * Everything committed on the topic now: reads under read_committed up to the end offsets, which
   * for that isolation level are the last stable offsets (an open transaction's records excluded).
   */
  static <V> List<ConsumerRecord<String, V>> readAllCommitted(
      KafkaClusterExtension kafka, String topic, Deserializer<V> values) {
    List<ConsumerRecord<String, V>> read = new ArrayList<>();
    try (KafkaConsumer<String, V> consumer = committedFromBeginning(kafka, topic, values)) {
      List<TopicPartition> partitions = List.copyOf(consumer.assignment());
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        assertThat(System.nanoTime()).as("read %s to its end", topic).isLessThan(deadline);
        consumer.poll(Duration.ofMillis(200)).forEach(read::add);
      }
    }
    return read;
  }

  /** Values by key; fails on a key seen twice (exactly once means once). */
  static <V> Map<String, V> byUniqueKey(List<ConsumerRecord<String, V>> records) {
    Map<String, V> byKey = new HashMap<>();
    List<String> doubled = new ArrayList<>();
    for (ConsumerRecord<String, V> record : records) {
      if (byKey.put(record.key(), record.value()) != null) {
        doubled.add(record.key());
      }
    }
    assertThat(doubled).as("keys with more than one committed record").isEmpty();
    return byKey;
  }

  /** Sleeps; an interrupt fails the test. */
  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** A fresh directory under the build's target/, for state and logs. */
  static Path tempDir(String prefix) {
    try {
      Path base = Path.of("target", "it-tmp");
      Files.createDirectories(base);
      return Files.createTempDirectory(base.toAbsolutePath(), prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Polls {@code condition} every 100 ms until it holds or {@code timeout} passes. */
  static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for %s (%s)", what, timeout).isLessThan(end);
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

  /** GET http://127.0.0.1:{port}{path}: asserts 200 and returns the body. */
  static String httpGet(int port, String path) throws Exception {
    java.net.http.HttpResponse<String> response =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + path))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    return response.body();
  }
}
