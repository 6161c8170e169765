package io.rewardstream.demo;

import io.rewardstream.app.AppConfig;
import io.rewardstream.app.RewardStreamApp;
import io.rewardstream.broker.EmbeddedKafkaBroker;
import io.rewardstream.cli.JudgeMixin;
import io.rewardstream.cli.KafkaClients;
import io.rewardstream.cli.RecordLines;
import io.rewardstream.cli.ToolCommand;
import io.rewardstream.kafka.KafkaConnection;
import io.rewardstream.kafka.TopicCreator;
import io.rewardstream.schemas.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rewardstream demo}: the whole pipeline on one machine, from nothing. Starts an embedded
 * Kafka broker (or uses {@code --bootstrap-servers}), creates the topics, starts the pipeline with
 * the bundled judge, sends the bundled sample (held-out pairs plus malformed records), prints each
 * reward and dead letter as it is committed, then a summary, and stops everything.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the whole pipeline on this machine: starts an embedded Kafka broker (127.0.0.1"
          + " only), creates the topics, starts the scoring pipeline with the bundled judge,"
          + " sends 24 held-out rollout pairs plus malformed records, and prints every reward and"
          + " dead letter as it is committed, then a summary (scored, dead-lettered, accuracy on"
          + " the sample, pairs/s). Stops everything at the end.",
      "With --groups it sends 8 rollout groups of 6 responses (2 right, 4 wrong in different"
          + " ways) to the group topic instead, and prints each group's ranking as it is"
          + " committed, then top-1 and pairwise ranking accuracy.",
      "With --bootstrap-servers it uses that cluster instead, with its own topics"
          + " (rewardstream-demo-*) so real topics are left alone."
    })
public final class DemoCommand implements Callable<Integer>, ToolCommand {

  /** The demo's topics on a cluster of the user's: never the real ones. */
  static final String SHARED_PREFIX = "rewardstream-demo-";

  @Spec private CommandSpec spec;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT[,HOST:PORT...]",
      description = {
        "Use this existing Kafka cluster instead of starting the embedded broker.",
        "The demo then uses topics " + SHARED_PREFIX + "{rollouts,rewards,dlq}, created if missing."
      })
  private String bootstrapServers;

  @Option(
      names = "--client-config",
      paramLabel = "FILE",
      description =
          "With --bootstrap-servers: Kafka client properties (security.protocol, sasl.*, ssl.*);"
              + " REWARDSTREAM_KAFKA_<KEY> variables override it.")
  private Path clientConfig;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "4",
      description = "Pairs per judge call, at least 2 (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "600",
      description = "Give up waiting for results after this long (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Option(
      names = "--groups",
      description =
          "Score rollout groups (GRPO) instead of pairs: 8 groups of 6, a ranking table each.")
  boolean groups;

  @Mixin JudgeMixin judge;

  /** Where the demo runs: its topics and how to tell its records apart. */
  record Target(
      KafkaConnection connection, String where, Map<String, Integer> topics, String idPrefix) {
    String input() {
      return topics.keySet().stream().toList().get(0);
    }

    String output() {
      return topics.keySet().stream().toList().get(1);
    }

    String dlq() {
      return topics.keySet().stream().toList().get(2);
    }

    String groupsInput() {
      return named(Topics.ROLLOUT_GROUPS.name(), SHARED_PREFIX + "groups");
    }

    String groupsOutput() {
      return named(Topics.GROUP_REWARDS.name(), SHARED_PREFIX + "group-rewards");
    }

    private String named(String standard, String shared) {
      return topics.containsKey(standard) ? standard : shared;
    }
  }

  @Override
  public Integer call() throws Exception {
    if (batchSize < 2) {
      // With batches of one, the first copy of the duplicate is scored before the second arrives.
      throw new IllegalArgumentException("--batch-size must be at least 2, got " + batchSize);
    }
    if (bootstrapServers != null) {
      String run = UUID.randomUUID().toString().substring(0, 6) + "-";
      return run(
          new Target(
              KafkaConnection.resolve(bootstrapServers, clientConfig, System.getenv()),
              "the Kafka cluster you gave",
              sharedTopics(),
              run),
          Optional.empty());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("Starting an embedded Kafka broker (KRaft, 127.0.0.1 only)...");
    out.flush();
    try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker().start()) {
      Target target =
          new Target(
              KafkaConnection.of(broker.bootstrapServers()),
              "embedded broker, deleted at the end",
              standardTopics(),
              "");
      int status = run(target, Optional.of((short) 1));
      out.println("Stopping the embedded broker and deleting its data.");
      out.flush();
      return status;
    }
  }

  /** The topics every RewardStream deployment uses, with the demo's partition counts. */
  static Map<String, Integer> standardTopics() {
    Map<String, Integer> topics = new LinkedHashMap<>();
    // Three partitions: enough for several stream tasks to share the work. Per-rollout topics
    // share the count, so one rollout's input, reward and dead letter have the same partition.
    topics.put(Topics.ROLLOUTS.name(), 3);
    topics.put(Topics.REWARDS.name(), 3);
    topics.put(Topics.ROLLOUTS_DLQ.name(), 3);
    topics.put(Topics.REWARD_STATS.name(), 1);
    topics.put(Topics.DRIFT_ALERTS.name(), 1);
    topics.put(Topics.ROLLOUT_GROUPS.name(), 3);
    topics.put(Topics.GROUP_REWARDS.name(), 3);
    return topics;
  }

  static Map<String, Integer> sharedTopics() {
    Map<String, Integer> topics = new LinkedHashMap<>();
    topics.put(SHARED_PREFIX + "rollouts", 3);
    topics.put(SHARED_PREFIX + "rewards", 3);
    topics.put(SHARED_PREFIX + "dlq", 3);
    topics.put(SHARED_PREFIX + "groups", 3);
    topics.put(SHARED_PREFIX + "group-rewards", 3);
    return topics;
  }

  private int run(Target target, Optional<Short> replicationFactor) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    createTopics(target, replicationFactor);
    if (groups) {
      return runGroups(target);
    }
    DemoSample sample = DemoSample.load(target.idPrefix());
    Path stateDir = stateDirectory();
    AppConfig config = config(target, stateDir);
    out.printf(
        "Kafka at %s (%s); topics %s%nStarting the pipeline: judge %s, %s mode, batches of %d"
            + " (loading the model, measuring its cost per pair)...%n",
        target.connection().describe(),
        target.where(),
        target.topics().keySet(),
        config.judgeDir(),
        config.judgeMode(),
        batchSize);
    out.flush();
    try (RewardStreamApp app = RewardStreamApp.start(config);
        KafkaConsumer<byte[], byte[]> reader = KafkaClients.committedReader(target.connection())) {
      KafkaClients.assignAll(reader, List.of(target.output(), target.dlq()), false);
      app.awaitRunning(Duration.ofSeconds(120));
      return sendAndWatch(target, sample, reader, app.config());
    } finally {
      deleteRecursively(stateDir);
    }
  }

  private int runGroups(Target target) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    Path stateDir = stateDirectory();
    AppConfig config = config(target, stateDir);
    List<io.rewardstream.eval.EvalGroup> sample =
        DemoGroups.sample(config.judgeDir(), target.idPrefix());
    out.printf(
        "Kafka at %s (%s); topics %s%nStarting the pipeline with group scoring: judge %s, %s"
            + " mode, strategy %s (loading the model, measuring its cost per pair)...%n",
        target.connection().describe(),
        target.where(),
        List.of(target.groupsInput(), target.groupsOutput(), target.dlq()),
        config.judgeDir(),
        config.judgeMode(),
        config.groups().strategy().id());
    out.flush();
    try (RewardStreamApp app = RewardStreamApp.start(config);
        KafkaConsumer<byte[], byte[]> reader = KafkaClients.committedReader(target.connection())) {
      KafkaClients.assignAll(reader, List.of(target.groupsOutput()), false);
      app.awaitRunning(Duration.ofSeconds(120));
      out.printf(
          "Pipeline running. Sending %d groups of %d responses to %s.%n",
          sample.size(), DemoGroups.SIZE, target.groupsInput());
      out.flush();
      DemoGroups table = new DemoGroups(out, sample);
      long start = System.nanoTime();
      try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(target.connection())) {
        for (io.rewardstream.eval.EvalGroup g : sample) {
          byte[] value =
              Topics.ROLLOUT_GROUPS
                  .valueSerde()
                  .serializer()
                  .serialize(target.groupsInput(), DemoGroups.record(g));
          producer.send(
              new ProducerRecord<>(
                  target.groupsInput(),
                  g.id().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                  value));
        }
        producer.flush();
      }
      long deadline = start + Duration.ofSeconds(timeoutSeconds).toNanos();
      long last = start;
      while (!table.complete() && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
          if (table.accept(RecordLines.decode(record.topic(), record.value()))) {
            last = System.nanoTime();
          }
        }
      }
      boolean complete = table.complete();
      boolean ok =
          table.printSummary(
              (last - start) / 1e9, config.judgeMode(), config.groups().strategy().id());
      if (!complete) {
        out.printf("Timed out after %d s waiting for results (--timeout).%n", timeoutSeconds);
      }
      out.println("Stopping the pipeline (Kafka Streams first, then the judge).");
      out.flush();
      return complete && ok ? 0 : 1;
    } finally {
      deleteRecursively(stateDir);
    }
  }

  private int sendAndWatch(
      Target target, DemoSample sample, KafkaConsumer<byte[], byte[]> reader, AppConfig config) {
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "Pipeline running. Sending %d rollout pairs and %d malformed records to %s.%n%n",
        sample.truth().size(), sample.expectedDeadLetters().size(), target.input());
    DemoTable table = new DemoTable(out, sample);
    table.printHeader();
    long start = System.nanoTime();
    send(target, sample);
    long deadline = start + Duration.ofSeconds(timeoutSeconds).toNanos();
    long last = start;
    while (!table.complete() && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
        table.accept(RecordLines.decode(record.topic(), record.value()));
        last = System.nanoTime();
      }
    }
    boolean complete = table.complete();
    boolean asExpected = table.printSummary((last - start) / 1e9, config.judgeMode(), batchSize);
    if (!complete) {
      out.printf("Timed out after %d s waiting for results (--timeout).%n", timeoutSeconds);
    }
    out.println("Stopping the pipeline (Kafka Streams first, then the judge).");
    out.flush();
    return complete && asExpected ? 0 : 1;
  }

  private static void send(Target target, DemoSample sample) {
    try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(target.connection())) {
      for (Map.Entry<String, byte[]> record : sample.records()) {
        byte[] key = record.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(target.input(), key, record.getValue()));
      }
      producer.flush();
    }
  }

  private AppConfig config(Target target, Path stateDir) {
    Properties p = new Properties();
    p.setProperty(AppConfig.APPLICATION_ID, "rewardstream-demo");
    target.connection().settings().forEach(p::setProperty);
    p.setProperty(AppConfig.BOOTSTRAP_SERVERS, target.connection().bootstrapServers());
    p.setProperty(AppConfig.TOPIC_INPUT, target.input());
    p.setProperty(AppConfig.TOPIC_OUTPUT, target.output());
    p.setProperty(AppConfig.TOPIC_DLQ, target.dlq());
    p.setProperty(AppConfig.BATCH_SIZE, Integer.toString(batchSize));
    p.setProperty(AppConfig.BATCH_MAX_WAIT_MS, "1000");
    p.setProperty(AppConfig.STATE_DIR, stateDir.toString());
    if (groups) {
      p.setProperty(AppConfig.GROUPS_ENABLED, "true");
      p.setProperty(AppConfig.TOPIC_GROUPS_INPUT, target.groupsInput());
      p.setProperty(AppConfig.TOPIC_GROUPS_OUTPUT, target.groupsOutput());
    }
    judge.putAppConfig(p);
    return AppConfig.fromProperties(p);
  }

  /**
   * A fresh state directory for this run, deleted at the end. Under the user's cache directory, not
   * /tmp: Kafka Streams warns about a state directory under java.io.tmpdir (the OS may clear it),
   * and the demo should not greet its user with a warning.
   */
  private static Path stateDirectory() throws IOException {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path cache =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    Path base = cache.resolve("rewardstream");
    Files.createDirectories(base);
    return Files.createTempDirectory(base, "demo-state-");
  }

  private static void createTopics(Target target, Optional<Short> replicationFactor) {
    TopicCreator.createTopics(target.connection(), target.topics(), replicationFactor);
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the demo's state directory " + dir, e);
    }
  }
}
