package io.rewardstream.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.app.AppConfig;
import io.rewardstream.broker.EmbeddedKafkaBroker;
import io.rewardstream.cli.RewardStreamCli;
import io.rewardstream.it.pipeline.Pipelines.Topics;
import io.rewardstream.kafka.KafkaConnection;
import io.rewardstream.kafka.TopicCreator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every command against a secured cluster: the embedded broker with a SASL_PLAINTEXT SCRAM-SHA-512
 * listener (Kafka's own SCRAM implementation; the plaintext listener is only for the test's
 * set-up). {@code produce}, {@code tail}, {@code replay} and {@code compare} use {@code
 * --client-config}; {@code run} and {@code drift} run as separate processes whose password is only
 * in the environment ({@code REWARDSTREAM_KAFKA_SASL_JAAS_CONFIG}). A wrong password, an
 * unreachable cluster and a missing topic each fail fast with one line naming the setting.
 */
class SecuredClusterIT {

  private static final String USER = "rewardstream";
  private static final String PASSWORD = "sc-" + System.nanoTime();
  private static final int PAIRS = 4;

  private static EmbeddedKafkaBroker broker;
  private static Path dir;
  private static Topics topics;

  @BeforeAll
  static void startSecuredBroker() throws Exception {
    broker = new EmbeddedKafkaBroker().withScramListener().start();
    broker.addScramUser(USER, PASSWORD);
    dir = Pipelines.tempDir("secured");
    topics = new Topics("s-rollouts", "s-rewards", "s-dlq");
    TopicCreator.createTopics(
        KafkaConnection.of(broker.bootstrapServers()),
        Map.of(
            topics.input(),
            1,
            topics.output(),
            1,
            topics.dlq(),
            1,
            "s-reward-stats",
            1,
            "s-drift-alerts",
            1),
        Optional.of((short) 1));
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void everyCommandWorksOnAScramClusterAndBadSettingsFailFast() throws Exception {
    String secure = broker.scramBootstrapServers();
    Path full = clientConfig("client.properties", jaas(PASSWORD));
    Path noSecret = clientConfig("client-no-secret.properties", null);
    Instant start = Instant.now().minusSeconds(1);

    // Step 1: produce over SASL with --client-config.
    Path jsonl = dir.resolve("pairs.jsonl");
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < PAIRS; i++) {
      lines.append(
          String.format(
              "{\"rollout_id\": \"sec-%d\", \"prompt\": \"Ana has %d cups and buys 2 more. How many"
                  + " cups does Ana have?\", \"response_a\": \"Ana has %d cups.\", \"policy_version\": \"p1\", \"response_b\":"
                  + " \"Ana has 1 cup.\"}%n",
              i, i + 3, i + 5));
    }
    Files.writeString(jsonl, lines, StandardCharsets.UTF_8);
    CliRun produce =
        CliRun.of(
            "produce",
            "--bootstrap-servers",
            secure,
            "--client-config",
            full.toString(),
            "--file",
            jsonl.toString(),
            "--topic",
            topics.input());
    assertThat(produce.status()).as(produce.err()).isZero();

    // Step 2: run, as its own process: the password only in its environment.
    Path appProperties = appConfig(secure);
    Map<String, String> env = Map.of("REWARDSTREAM_KAFKA_SASL_JAAS_CONFIG", jaas(PASSWORD));
    int driftPort;
    try (java.net.ServerSocket probe =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      driftPort = probe.getLocalPort();
    }
    try (AppProcess run =
            AppProcess.start(
                dir.resolve("run.log"),
                env,
                "io.rewardstream.cli.RewardStreamCli",
                "run",
                "--config",
                appProperties.toString(),
                "--client-config",
                noSecret.toString());
        AppProcess drift =
            AppProcess.start(
                dir.resolve("drift.log"),
                env,
                "io.rewardstream.cli.RewardStreamCli",
                "drift",
                "--bootstrap-servers",
                secure,
                "--client-config",
                noSecret.toString(),
                "--rewards-topic",
                topics.output(),
                "--stats-topic",
                "s-reward-stats",
                "--alerts-topic",
                "s-drift-alerts",
                "--application-id",
                "secured-drift-" + System.nanoTime(),
                "--metrics-port",
                Integer.toString(driftPort))) {
      // Step 3: tail over SASL sees every reward, scored once.
      CliRun tail =
          CliRun.of(
              "tail",
              "--bootstrap-servers",
              secure,
              "--client-config",
              full.toString(),
              "--topic",
              topics.output(),
              "--from-beginning",
              "--max",
              Integer.toString(PAIRS),
              "--idle-timeout",
              "180");
      assertThat(tail.status()).as(tail.err()).isZero();
      assertThat(tail.out().lines()).hasSize(PAIRS).allSatisfy(l -> assertThat(l).contains(" OK "));
      // Step 4: drift authenticated, joined its group and runs.
      drift.awaitLog("drift: running", Duration.ofSeconds(120));
      // and serves its probe and metrics (Kafka Streams' own, the alerts topic's sends among them)
      assertThat(Pipelines.httpGet(driftPort, "/healthz")).isEqualTo("RUNNING\n");
      assertThat(Pipelines.httpGet(driftPort, "/metrics")).contains("kafka_stream_");
      assertThat(run.alive()).isTrue();
    }

    // Step 5: replay and compare over SASL.
    CliRun replay =
        CliRun.of(
            "replay",
            "--bootstrap-servers",
            secure,
            "--client-config",
            full.toString(),
            "--input-topic",
            topics.input(),
            "--from",
            start.toString(),
            "--to",
            Instant.now().plusSeconds(1).toString(),
            "--output-topic",
            "s-replayed",
            "--judge-dir",
            Pipelines.judgeDir().toString(),
            "--mode",
            "greedy");
    assertThat(replay.status()).as(replay.err()).isZero();
    assertThat(replay.out()).contains("scored     " + PAIRS + " OK");
    CliRun compare =
        CliRun.of(
            "compare",
            "--bootstrap-servers",
            secure,
            "--client-config",
            full.toString(),
            "--baseline",
            topics.output(),
            "--candidate",
            "s-replayed",
            "--out",
            dir.resolve("compare-report").toString());
    assertThat(compare.status()).as(compare.err()).isZero();
    assertThat(dir.resolve("compare-report.html")).isRegularFile();

    // Step 6: a wrong password fails fast, naming the setting; so does a plaintext client.
    Path wrong = clientConfig("wrong.properties", jaas("not-the-password"));
    for (String command : List.of("tail", "produce")) {
      long t0 = System.nanoTime();
      CliRun refused =
          command.equals("tail")
              ? CliRun.of(
                  "tail",
                  "--bootstrap-servers",
                  secure,
                  "--client-config",
                  wrong.toString(),
                  "--topic",
                  topics.output(),
                  "--max",
                  "1")
              : CliRun.of(
                  "produce",
                  "--bootstrap-servers",
                  secure,
                  "--client-config",
                  wrong.toString(),
                  "--file",
                  jsonl.toString(),
                  "--topic",
                  topics.input());
      assertThat(refused.status()).as(refused.err()).isEqualTo(RewardStreamCli.KAFKA_ERROR);
      assertThat(refused.err())
          .contains("refused the credentials")
          .contains("sasl.jaas.config")
          .doesNotContain("not-the-password");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
    }
    CliRun runWrong =
        CliRun.of("run", "--config", appProperties.toString(), "--client-config", wrong.toString());
    assertThat(runWrong.status()).isEqualTo(RewardStreamCli.KAFKA_ERROR);
    assertThat(runWrong.err())
        .contains("run: error: Kafka at " + secure + " refused the credentials");

    // Step 7: a missing topic is named with its key, before the judge loads.
    CliRun missing =
        CliRun.of(
            "run",
            "--config",
            appProperties.toString(),
            "--client-config",
            full.toString(),
            "--set",
            AppConfig.TOPIC_INPUT + "=no-such-rollouts");
    assertThat(missing.status()).isEqualTo(RewardStreamCli.KAFKA_ERROR);
    assertThat(missing.err())
        .contains("topic 'no-such-rollouts' (" + AppConfig.TOPIC_INPUT + ") does not exist");

    // Step 8: nothing listening: a bounded wait and the hint, not warnings forever.
    CliRun unreachable =
        CliRun.of(
            "tail", "--bootstrap-servers", "127.0.0.1:1", "--topic", topics.output(), "--max", "1");
    assertThat(unreachable.status()).isEqualTo(RewardStreamCli.KAFKA_ERROR);
    assertThat(unreachable.err()).contains("cannot reach Kafka at 127.0.0.1:1 within 15 s");
  }

  private static String jaas(String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + USER
        + "\" password=\""
        + password
        + "\";";
  }

  /** A client config for the SCRAM listener; without a JAAS line when {@code jaas} is null. */
  private static Path clientConfig(String name, String jaas) throws Exception {
    Properties p = new Properties();
    p.setProperty("security.protocol", "SASL_PLAINTEXT");
    p.setProperty("sasl.mechanism", EmbeddedKafkaBroker.SCRAM_MECHANISM);
    if (jaas != null) {
      p.setProperty("sasl.jaas.config", jaas);
    }
    Path file = dir.resolve(name);
    try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(out, "SecuredClusterIT");
    }
    return file;
  }

  /** The app's config file: no security settings in it (those come from --client-config). */
  private static Path appConfig(String bootstrap) throws Exception {
    Properties p = new Properties();
    p.setProperty(AppConfig.APPLICATION_ID, "secured-" + System.nanoTime());
    p.setProperty(AppConfig.BOOTSTRAP_SERVERS, bootstrap);
    p.setProperty(AppConfig.TOPIC_INPUT, topics.input());
    p.setProperty(AppConfig.TOPIC_OUTPUT, topics.output());
    p.setProperty(AppConfig.TOPIC_DLQ, topics.dlq());
    p.setProperty(AppConfig.BATCH_SIZE, "2");
    p.setProperty(AppConfig.BATCH_MAX_WAIT_MS, "500");
    p.setProperty(AppConfig.JUDGE_DIR, Pipelines.judgeDir().toString());
    p.setProperty(AppConfig.JUDGE_MODE, "greedy");
    p.setProperty(AppConfig.STATE_DIR, dir.resolve("state").toString());
    Path file = dir.resolve("app.properties");
    try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(out, "SecuredClusterIT");
    }
    return file;
  }
}
