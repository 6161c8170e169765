package io.rewardstream.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.app.AppConfig;
import io.rewardstream.app.RewardStreamApp;
import io.rewardstream.avro.JudgmentCandidate;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.avro.ScoreStatus;
import io.rewardstream.it.KafkaClusterExtension;
import io.rewardstream.it.pipeline.Pipelines.Topics;
import io.rewardstream.schemas.AvroSerdes;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash recovery, with the app in a separate JVM killed by SIGKILL (no shutdown hook runs):
 *
 * <ol>
 *   <li>killed while a batch is buffered (its pairs committed to the buffer's changelog, not yet
 *       scored): the restarted app restores them;
 *   <li>killed while that batch is being scored (the judge is running; its results and the buffer
 *       deletes are in an open transaction): the transaction is aborted, the restarted app scores
 *       the batch again.
 * </ol>
 *
 * Every rollout then has exactly one committed result, and the results equal a clean run's over the
 * same input: scoring is seeded by (rollout id, judge version), so the re-scored batch gives the
 * same verdicts. Reflect mode with 4 samples: sampling at temperature 1.0 is what makes determinism
 * worth testing, and 4 samples keep it fast.
 */
class CrashRecoveryPipelineIT {

  private static final Logger log = LoggerFactory.getLogger(CrashRecoveryPipelineIT.class);

  private static final int PAIRS = 12;
  private static final int BATCH = 4;
  private static final Duration START = Duration.ofSeconds(90);

  @RegisterExtension
  static final KafkaClusterExtension kafka = KafkaClusterExtension.fromSystemProperties();

  /**
   * Scored on the stream thread, and on the judge lane ({@code scoring.overlap}); the clean run it
   * is compared with scores on the stream thread either way.
   */
  @ParameterizedTest(name = "scoring.overlap={0}")
  @ValueSource(booleans = {false, true})
  void killedWhileBufferingAndWhileScoringEveryRolloutHasOneResultEqualToACleanRun(boolean overlap)
      throws IOException {
    // Step 1: one input partition (batches form in offset order), a config file for the process.
    Topics topics = Topics.create(kafka, "crash", 1);
    Path dir = Pipelines.tempDir("crash");
    String appId = "crash-" + System.nanoTime();
    List<RolloutPair> pairs = Pipelines.heldoutPairs("crash", PAIRS);
    // A long max wait: the buffered pairs must still be buffered when the process is killed.
    Path config = writeConfig(dir, appId, topics, "600000", overlap);

    // Step 2: buffer 3 pairs (fewer than a batch); SIGKILL once they are in the changelog.
    try (AppProcess first = AppProcess.start(config, dir.resolve("run-1.log"))) {
      first.awaitLog("-> RUNNING", START);
      Pipelines.produce(kafka, topics.input(), Pipelines.raw(pairs.subList(0, 3)));
      Pipelines.readCommitted(
          kafka,
          appId + "-batch-buffer-store-changelog",
          new ByteArrayDeserializer(),
          read -> read.size() >= 3,
          Duration.ofSeconds(60),
          Duration.ZERO);
      first.kill();
    }
    assertThat(committedResults(topics)).as("nothing scored yet").isEmpty();

    // Step 3: restart; the 4th pair completes the restored batch; SIGKILL while it is scored.
    try (AppProcess second = AppProcess.start(config, dir.resolve("run-2.log"))) {
      second.awaitLog("-> RUNNING", START);
      Pipelines.produce(kafka, topics.input(), Pipelines.raw(pairs.subList(3, 4)));
      second.awaitLog("scoring a batch of " + BATCH + " pairs", Duration.ofSeconds(60));
      second.kill();
    }
    assertThat(committedResults(topics))
        .as("the batch killed mid-scoring committed nothing")
        .isEmpty();

    // Step 4: restart with a short max wait; the rest of the pairs; everything gets scored.
    writeConfig(dir, appId, topics, "1000", overlap);
    List<ConsumerRecord<String, RewardResult>> results;
    try (AppProcess third = AppProcess.start(config, dir.resolve("run-3.log"))) {
      third.awaitLog("-> RUNNING", START);
      Pipelines.produce(kafka, topics.input(), Pipelines.raw(pairs.subList(4, PAIRS)));
      results =
          Pipelines.readCommitted(
              kafka,
              topics.output(),
              AvroSerdes.rewardResult().deserializer(),
              read -> read.size() >= PAIRS,
              Duration.ofMinutes(3),
              Duration.ofSeconds(2));
      assertThat(third.stop(Duration.ofSeconds(60))).as("exit status after SIGTERM").isIn(0, 143);
      assertThat(third.logText()).contains("stopped; scored");
    }

    // Step 5: exactly once, and equal to a clean run of the same input.
    Map<String, RewardResult> recovered = Pipelines.byUniqueKey(results);
    assertThat(recovered.keySet())
        .isEqualTo(pairs.stream().map(RolloutPair::getRolloutId).collect(Collectors.toSet()));
    Map<String, RewardResult> clean = cleanRun(topics, dir);
    recovered.forEach(
        (id, result) -> {
          assertThat(result.getStatus()).isEqualTo(ScoreStatus.OK);
          assertThat(verdictOf(result)).as(id).isEqualTo(verdictOf(clean.get(id)));
          assertThat(confidences(result))
              .as(id + " confidences")
              .usingElementComparator(CrashRecoveryPipelineIT::closeEnough)
              .isEqualTo(confidences(clean.get(id)));
        });
  }

  /** The same input through an app that never crashes (in this JVM, another application.id). */
  private static Map<String, RewardResult> cleanRun(Topics crashed, Path dir) {
    Topics topics =
        new Topics(
            crashed.input(),
            kafka.createTopic("crash-clean-rewards", 1),
            kafka.createTopic("crash-clean-dlq", 1));
    AppConfig config =
        Pipelines.config(
            kafka,
            "crash-clean-" + System.nanoTime(),
            topics,
            BATCH,
            dir.resolve("clean-state"),
            AppConfig.JUDGE_MODE,
            "reflect",
            AppConfig.JUDGE_SAMPLES,
            "4");
    try (RewardStreamApp app = RewardStreamApp.start(config)) {
      return Pipelines.byUniqueKey(
          Pipelines.readCommitted(
              kafka,
              topics.output(),
              AvroSerdes.rewardResult().deserializer(),
              read -> read.size() >= PAIRS,
              Duration.ofMinutes(3),
              Duration.ZERO));
    }
  }

  /**
   * Everything the judge decided, without timing, provenance and confidences. The confidences (mean
   * log-probs) are compared separately, with a tolerance: ONNX Runtime's float arithmetic differs
   * between processes in the 7th digit (measured: -2.6761258939901986 vs -2.676125874121984 for the
   * same tokens), while every generated token, verdict and reward is identical.
   */
  private static List<Object> verdictOf(RewardResult r) {
    List<JudgmentCandidate> candidates =
        r.getCandidates().stream()
            .map(c -> JudgmentCandidate.newBuilder(c).setConfidence(0).build())
            .toList();
    return List.of(
        r.getPreferred(),
        r.getPABetter(),
        r.getRewardA(),
        r.getRewardB(),
        r.getChosenAnalysis(),
        r.getChosenIndex(),
        candidates,
        String.valueOf(r.getPositionConsistency()),
        r.getSeed(),
        r.getGenerations(),
        r.getTokensUsed(),
        r.getSourceOffset());
  }

  private static List<Double> confidences(RewardResult r) {
    return r.getCandidates().stream().map(JudgmentCandidate::getConfidence).toList();
  }

  private static int closeEnough(Double a, Double b) {
    return Math.abs(a - b) <= 1e-4 ? 0 : Double.compare(a, b);
  }

  private static List<ConsumerRecord<String, RewardResult>> committedResults(Topics topics) {
    return Pipelines.readAllCommitted(
        kafka, topics.output(), AvroSerdes.rewardResult().deserializer());
  }

  private static Path writeConfig(
      Path dir, String appId, Topics topics, String maxWaitMs, boolean overlap) throws IOException {
    AppConfig base = Pipelines.config(kafka, appId, topics, BATCH, dir.resolve("state"));
    Properties p = new Properties();
    p.setProperty(AppConfig.APPLICATION_ID, appId);
    p.setProperty(AppConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    p.setProperty(AppConfig.TOPIC_INPUT, topics.input());
    p.setProperty(AppConfig.TOPIC_OUTPUT, topics.output());
    p.setProperty(AppConfig.TOPIC_DLQ, topics.dlq());
    p.setProperty(AppConfig.BATCH_SIZE, Integer.toString(BATCH));
    p.setProperty(AppConfig.BATCH_MAX_WAIT_MS, maxWaitMs);
    p.setProperty(AppConfig.JUDGE_DIR, base.judgeDir().toString());
    p.setProperty(AppConfig.JUDGE_MODE, "reflect");
    p.setProperty(AppConfig.JUDGE_SAMPLES, "4");
    p.setProperty(AppConfig.SCORING_OVERLAP, Boolean.toString(overlap));
    // The same state directory on every restart, like a pod with its volume: the same process
    // id, so the restarted producer fences the killed one's open transaction at once.
    p.setProperty(AppConfig.STATE_DIR, base.stateDir());
    p.putAll(base.kafkaProperties());
    Path file = dir.resolve("app.properties");
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(out, "CrashRecoveryPipelineIT");
    }
    log.info("config for {}: {}", appId, file);
    return file;
  }
}
