package io.rewardstream.it.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.app.AppConfig;
import io.rewardstream.app.RewardStreamApp;
import io.rewardstream.it.KafkaClusterExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Python client ({@code clients/python}) against a real broker and a real scoring app with the
 * bundled judge: starts both, then runs the client's integration tests ({@code pytest -m
 * integration}) with Debian's {@code /usr/bin/python3} in a child process, passing the cluster and
 * the topic names in {@code REWARDSTREAM_IT_*} variables. The pytest cases score 100 held-out
 * pairs, get a dead letter back with its reason, time out and re-ask without re-sending, and rank a
 * batch through the TRL adapter, and drive the {@code python -m rewardstream} CLI and run the
 * client README's examples; this test asserts pytest's exit status and its pass count, so a skipped
 * case (e.g. a variable that did not arrive) fails it too.
 */
class PythonClientIT {

  /** The interpreter with Debian's python3-confluent-kafka, python3-avro and python3-pytest. */
  static final String PYTHON = System.getProperty("rewardstream.python", "/usr/bin/python3");

  /** The number of {@code integration} cases in clients/python/tests/test_integration.py. */
  static final int EXPECTED_PASSED = 6;

  private static final Pattern SUMMARY = Pattern.compile("(?m)^=+ (.+ in [0-9.]+s.*?) =+$");

  @RegisterExtension
  static final KafkaClusterExtension kafka = KafkaClusterExtension.fromSystemProperties();

  @Test
  void thePythonClientScoresThroughTheRealPipeline() throws Exception {
    // Step 1: topics and the scoring app (greedy mode: the test is about the client).
    Path repo = repoRoot();
    String rollouts = kafka.createTopic("py-rollouts", 3);
    String rewards = kafka.createTopic("py-rewards", 3);
    String dlq = kafka.createTopic("py-dlq", 3);
    Path work = tempDir();
    AppConfig config = config(repo, rollouts, rewards, dlq, work);

    try (RewardStreamApp app = RewardStreamApp.start(config)) {
      app.awaitRunning(Duration.ofSeconds(90));

      // Step 2: the client's integration tests, in their own process.
      Path log = work.resolve("pytest.log");
      ProcessBuilder builder =
          new ProcessBuilder(
                  List.of(
                      PYTHON,
                      "-m",
                      "pytest",
                      "clients/python/tests",
                      "-m",
                      "integration",
                      "-v",
                      "-rP"))
              .directory(repo.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      builder
          .environment()
          .putAll(
              Map.of(
                  "REWARDSTREAM_IT_BOOTSTRAP",
                  kafka.bootstrapServers(),
                  "REWARDSTREAM_IT_ROLLOUTS",
                  rollouts,
                  "REWARDSTREAM_IT_REWARDS",
                  rewards,
                  "REWARDSTREAM_IT_DLQ",
                  dlq,
                  "REWARDSTREAM_IT_HELDOUT",
                  repo.resolve("models/judge-tiny/heldout.jsonl").toString(),
                  "PYTHONDONTWRITEBYTECODE",
                  "1"));
      Process pytest = builder.start();
      boolean ended = pytest.waitFor(8, TimeUnit.MINUTES);
      String output = Files.readString(log, StandardCharsets.UTF_8);
      if (!ended) {
        pytest.destroyForcibly();
      }

      // Step 3: every case passed.
      assertThat(ended).as("pytest ended within 8 minutes:%n%s", output).isTrue();
      assertThat(pytest.exitValue()).as("pytest exit status:%n%s", output).isZero();
      String summary = summary(output);
      assertThat(summary).as(output).containsPattern("\\b" + EXPECTED_PASSED + " passed\\b");
      assertThat(summary).as(output).doesNotContainPattern("\\b(failed|skipped|errors?)\\b");
    }
  }

  /** pytest's closing line, e.g. {@code ===== 6 passed, 76 deselected in 54.04s =====}. */
  private static String summary(String output) {
    String last = null;
    for (Matcher m = SUMMARY.matcher(output); m.find(); ) {
      last = m.group(1);
    }
    assertThat(last).as("pytest's summary line in:%n%s", output).isNotNull();
    return last;
  }

  private static AppConfig config(
      Path repo, String rollouts, String rewards, String dlq, Path stateDir) {
    Properties p = new Properties();
    p.setProperty(AppConfig.APPLICATION_ID, "py-client-" + System.nanoTime());
    p.setProperty(AppConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    p.setProperty(AppConfig.TOPIC_INPUT, rollouts);
    p.setProperty(AppConfig.TOPIC_OUTPUT, rewards);
    p.setProperty(AppConfig.TOPIC_DLQ, dlq);
    p.setProperty(AppConfig.BATCH_SIZE, "16");
    p.setProperty(AppConfig.BATCH_MAX_WAIT_MS, "500");
    p.setProperty(AppConfig.JUDGE_DIR, repo.resolve("models/judge-tiny").toString());
    p.setProperty(AppConfig.JUDGE_MODE, "greedy");
    p.setProperty(AppConfig.STATE_DIR, stateDir.resolve("state").toString());
    return AppConfig.fromProperties(p);
  }

  private static Path repoRoot() {
    Path root =
        Path.of(System.getProperty("rewardstream.repo.root", "..")).toAbsolutePath().normalize();
    assertThat(root.resolve("clients/python/tests")).as("the Python client's tests").isDirectory();
    return root;
  }

  private static Path tempDir() {
    try {
      Path base = Path.of("target", "it-tmp");
      Files.createDirectories(base);
      return Files.createTempDirectory(base.toAbsolutePath(), "py-client");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
