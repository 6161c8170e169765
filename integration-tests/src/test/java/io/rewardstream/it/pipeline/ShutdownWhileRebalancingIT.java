package io.rewardstream.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.app.AppConfig;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.it.KafkaClusterExtension;
import io.rewardstream.it.pipeline.Pipelines.Topics;
import io.rewardstream.schemas.AvroSerdes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM while Kafka Streams is still rebalancing after a crash (the dead member is still in the
 * group, the buffer is to be restored; issue 17 point 7): the instance stops promptly, closes its
 * judge (no judge call can start once shutdown began) and exits cleanly; then a restart scores
 * everything.
 */
class ShutdownWhileRebalancingIT {

  private static final Logger log = LoggerFactory.getLogger(ShutdownWhileRebalancingIT.class);

  @RegisterExtension
  static final KafkaClusterExtension kafka = KafkaClusterExtension.fromSystemProperties();

  @Test
  void aSigtermDuringTheRebalanceAfterACrashStopsPromptlyAndClosesTheJudge() {
    // Step 1: an instance with a buffered backlog, killed with SIGKILL.
    Topics topics = Topics.create(kafka, "sigterm", 3);
    Path dir = Pipelines.tempDir("sigterm");
    AppConfig config =
        Pipelines.config(
            kafka,
            "sigterm-" + System.nanoTime(),
            topics,
            8,
            dir.resolve("state"),
            AppConfig.JUDGE_MODE,
            "reflect",
            AppConfig.JUDGE_SAMPLES,
            "4");
    Path file = Pipelines.writeConfig(dir, config);
    List<RolloutPair> pairs = Pipelines.heldoutPairs("sigterm", 40);
    try (AppProcess first = AppProcess.start(file, dir.resolve("run-1.log"))) {
      first.awaitLog("-> RUNNING", Duration.ofSeconds(90));
      Pipelines.produce(kafka, topics.input(), Pipelines.raw(pairs));
      Pipelines.readCommitted(
          kafka,
          topics.output(),
          AvroSerdes.rewardResult().deserializer(),
          read -> read.size() >= 1,
          Duration.ofMinutes(2),
          Duration.ZERO);
      first.kill();
    }

    // Step 2: a successor, stopped with SIGTERM as soon as it rebalances.
    try (AppProcess second = AppProcess.start(file, dir.resolve("run-2.log"))) {
      second.awaitLog("-> REBALANCING", Duration.ofSeconds(90));
      // inside the rebalance: the group still waits for the killed member (6 s session timeout)
      Pipelines.sleep(2000);
      assertThat(second.logText()).doesNotContain("-> RUNNING");
      long start = System.nanoTime();
      int status = second.stop(Duration.ofSeconds(90));
      double seconds = (System.nanoTime() - start) / 1e9;
      String text = second.logText();
      log.info("stopped in {} s with status {}", String.format("%.1f", seconds), status);
      assertThat(status).as(text).isIn(0, 143);
      assertThat(seconds).as(text).isLessThan(40);
      assertThat(text).contains("stopping in state");
      assertThat(text).containsAnyOf("stopped; scored", "the judge was idle and is closed");
    }

    // Step 3: a third instance scores every pair exactly once.
    try (AppProcess third = AppProcess.start(file, dir.resolve("run-3.log"))) {
      third.awaitLog("-> RUNNING", Duration.ofSeconds(90));
      var results =
          Pipelines.readCommitted(
              kafka,
              topics.output(),
              AvroSerdes.rewardResult().deserializer(),
              read -> read.size() >= pairs.size(),
              Duration.ofMinutes(5),
              Duration.ofSeconds(2));
      assertThat(Pipelines.byUniqueKey(results)).hasSize(pairs.size());
      assertThat(third.stop(Duration.ofSeconds(90))).isIn(0, 143);
    }
  }
}
