package io.rewardstream.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.app.AppConfig;
import io.rewardstream.app.PairCostProbe;
import io.rewardstream.app.RewardStreamApp;
import io.rewardstream.it.KafkaClusterExtension;
import io.rewardstream.it.pipeline.Pipelines.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The user's commands against a real broker: {@code produce} a JSONL file into a running pipeline
 * and {@code tail} the rewards and dead letters; {@code demo --bootstrap-servers} end to end.
 * Greedy mode (the commands are under test, not the judge).
 */
class CliCommandsIT {

  @RegisterExtension
  static final KafkaClusterExtension kafka = KafkaClusterExtension.fromSystemProperties();

  @Test
  void produceFeedsThePipelineAndTailShowsEveryCommittedRecord() throws Exception {
    // Step 1: a running pipeline and a JSONL file of 3 good pairs and one with an empty prompt.
    Topics topics = Topics.create(kafka, "cli", 2);
    AppConfig config =
        Pipelines.config(
            kafka,
            "cli-" + System.nanoTime(),
            topics,
            2,
            Pipelines.tempDir("cli"),
            AppConfig.METRICS_PORT,
            "0");
    Path file = Pipelines.tempDir("cli-file").resolve("rollouts.jsonl");
    Files.writeString(
        file,
        String.join(
            "\n",
            line("cli-1", "Ian has 7 cards and gives away 2. How many cards does Ian have now?"),
            line("cli-2", "Gus has 9 bags with 2 stamps in each. How many stamps does Gus have?"),
            line("cli-3", "Kim has 8 jars. Pia has 6 rings. How many rings does Pia have?"),
            line("cli-empty", "")),
        StandardCharsets.UTF_8);

    try (RewardStreamApp app = RewardStreamApp.start(config)) {
      app.awaitRunning(Duration.ofSeconds(60));

      // Step 2: produce the file.
      CliRun produce =
          CliRun.of(
              "produce",
              "--file",
              file.toString(),
              "--topic",
              topics.input(),
              "--bootstrap-servers",
              kafka.bootstrapServers());
      assertThat(produce.status()).as(produce.err()).isZero();
      assertThat(produce.out()).contains("produced 4 rollout pairs");

      // Step 3: tail both outputs from the beginning.
      CliRun rewards = tail(topics.output(), 3);
      CliRun dead = tail(topics.dlq(), 1);
      assertThat(rewards.out().lines())
          .hasSize(3)
          .allSatisfy(l -> assertThat(l).containsPattern("@\\d+  reward  cli-\\d OK preferred="));
      assertThat(dead.out().strip())
          .contains("dead    cli-empty EMPTY_FIELD from " + topics.input())
          .contains("field 'prompt' is empty");

      // Step 4: the probes and Prometheus see it too.
      assertThat(Pipelines.httpGet(app.metricsPort(), "/healthz")).isEqualTo("RUNNING\n");
      assertThat(Pipelines.httpGet(app.metricsPort(), "/metrics"))
          .contains("rewardstream_judge_pairs_total{")
          .contains("rewardstream_judge_batch_seconds_count{")
          .contains("rewardstream_streams_running 1.0")
          .contains("kafka_stream_");
      // and the counters add up to what was produced: 3 scored + the start-up warm-up's pairs
      String metrics = Pipelines.httpGet(app.metricsPort(), "/metrics");
      double warmUp = PairCostProbe.WARM_UP_PAIRS;
      assertThat(sample(metrics, "rewardstream_judge_pairs_total")).isEqualTo(3 + warmUp);
      assertThat(sample(metrics, "rewardstream_judge_verdicts_total")).isEqualTo(3 + warmUp);
    }
  }

  /** Sum of every sample of one Prometheus metric (all label sets). */
  private static double sample(String exposition, String metric) {
    double sum = 0;
    for (String line : exposition.lines().toList()) {
      if (line.startsWith(metric + "{") || line.startsWith(metric + " ")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  @Test
  void theDemoRunsAgainstAnExistingCluster() {
    // Step 1 + 2: the demo, greedy, against this class's broker (its own rewardstream-demo-*
    // topics); Step 3: it reports every expected output and exits 0.
    CliRun demo =
        CliRun.of(
            "demo",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--judge-dir",
            Pipelines.judgeDir().toString(),
            "--mode",
            "greedy",
            "--timeout",
            "240");

    assertThat(demo.status()).as(demo.out() + demo.err()).isZero();
    assertThat(demo.out())
        .contains("scored 24 of 24 pairs")
        .contains("5 dead-lettered")
        .contains("(as expected)")
        .contains("accuracy on the sample:");
  }

  @Test
  void theGroupDemoRanksEveryGroupAgainstAnExistingCluster() {
    CliRun demo =
        CliRun.of(
            "demo",
            "--groups",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--judge-dir",
            Pipelines.judgeDir().toString(),
            "--mode",
            "greedy",
            "--timeout",
            "240");

    assertThat(demo.status()).as(demo.out() + demo.err()).isZero();
    assertThat(demo.out())
        .contains("Ranked 8 of 8 groups of 6 (greedy mode, swiss)")
        .contains("  rank  reward  right  response")
        .containsPattern("right above wrong in \\d+\\.\\d % of 64 pairs");
  }

  private static String line(String id, String prompt) {
    return String.format(
        "{\"rollout_id\":\"%s\",\"prompt\":\"%s\",\"response_a\":\"5 cards.\","
            + "\"response_b\":\"3 cards.\",\"policy_version\":\"p-1\",\"metadata\":{\"step\":1}}",
        id, prompt);
  }

  private static CliRun tail(String topic, int max) {
    CliRun tail =
        CliRun.of(
            "tail",
            "--topic",
            topic,
            "--from-beginning",
            "--max",
            Integer.toString(max),
            "--idle-timeout",
            "120",
            "--bootstrap-servers",
            kafka.bootstrapServers());
    assertThat(tail.status()).as(tail.err()).isZero();
    return tail;
  }
}
