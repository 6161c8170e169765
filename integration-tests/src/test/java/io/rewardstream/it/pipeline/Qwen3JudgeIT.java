package io.rewardstream.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.app.AppConfig;
import io.rewardstream.app.RewardStreamApp;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.avro.ScoreStatus;
import io.rewardstream.it.KafkaClusterExtension;
import io.rewardstream.it.RolloutPairs;
import io.rewardstream.it.pipeline.Pipelines.Topics;
import io.rewardstream.schemas.AvroSerdes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real model family end to end: the Qwen3-architecture model with Qwen3's tokenizer and chat
 * template ({@code models/qwen3/tiny-random}, random weights, so its verdicts are noise) scores
 * pairs through {@code run}, {@code replay} and {@code eval} exactly like the bundled judge. What
 * is tested is the path: every pair scored once, under the Qwen3 judge's identity, with analyses
 * the engine generated.
 */
class Qwen3JudgeIT {

  @RegisterExtension
  static final KafkaClusterExtension kafka = KafkaClusterExtension.fromSystemProperties();

  private static final int PAIRS = 4;

  @Test
  void runReplayAndEvalScoreWithAQwen3ChatJudge() throws Exception {
    Path qwen3 = qwen3Dir();
    // Step 1: four pairs (the odd ones also carry their prompt in chat form).
    Topics topics = Topics.create(kafka, "qwen3", 1);
    Instant start = Instant.now().minusSeconds(1);
    List<RolloutPair> pairs =
        IntStream.range(0, PAIRS).mapToObj(i -> RolloutPairs.pair("q3", i)).toList();
    Pipelines.produce(kafka, topics.input(), Pipelines.raw(pairs));

    // Step 2: run scores them with the Qwen3 judge (vote mode, 2 samples a pair).
    AppConfig config =
        Pipelines.config(
            kafka,
            "qwen3-" + System.nanoTime(),
            topics,
            2,
            Pipelines.tempDir("qwen3"),
            AppConfig.JUDGE_DIR,
            qwen3.toString(),
            AppConfig.JUDGE_MODE,
            "vote",
            AppConfig.JUDGE_SAMPLES,
            "2");
    Map<String, RewardResult> run;
    try (RewardStreamApp app = RewardStreamApp.start(config)) {
      app.awaitRunning(Duration.ofSeconds(120));
      run = results(topics.output());
    }
    assertThat(run).hasSize(PAIRS);
    for (RewardResult r : run.values()) {
      assertThat(r.getStatus()).as(r.getFailureReason()).isEqualTo(ScoreStatus.OK);
      assertThat(r.getJudgeId()).isEqualTo("qwen3-tiny-random");
      assertThat(r.getMode()).isEqualTo("vote");
      assertThat(r.getCandidates()).hasSize(2);
      assertThat(r.getCandidates()).allSatisfy(c -> assertThat(c.getTokens()).isPositive());
    }

    // Step 3: replay the same range with the Qwen3 judge in reflect mode into a new topic.
    String replayed = kafka.createTopic("qwen3-replayed", 1);
    CliRun replay =
        CliRun.of(
            "replay",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--input-topic",
            topics.input(),
            "--from",
            start.toString(),
            "--to",
            Instant.now().plusSeconds(1).toString(),
            "--output-topic",
            replayed,
            "--judge-dir",
            qwen3.toString(),
            "--mode",
            "reflect",
            "--samples",
            "2");
    assertThat(replay.status()).as(replay.err()).isZero();
    Map<String, RewardResult> again = results(replayed);
    assertThat(again.keySet()).isEqualTo(run.keySet());
    assertThat(again.values())
        .allSatisfy(r -> assertThat(r.getMode()).isEqualTo("reflect"))
        .allSatisfy(r -> assertThat(r.getJudgeId()).isEqualTo("qwen3-tiny-random"));

    // Step 4: eval on two held-out pairs of the bundled set prints its table.
    CliRun eval =
        CliRun.of(
            "eval",
            "--data",
            Pipelines.judgeDir().resolve("heldout.jsonl").toString(),
            "--limit",
            "2",
            "--judge-dir",
            qwen3.toString(),
            "--mode",
            "greedy");
    assertThat(eval.status()).as(eval.err()).isZero();
    assertThat(eval.err()).contains("judging 2 pairs").contains("with qwen3-tiny-random 0.1.0");
    assertThat(eval.out()).contains("greedy");
  }

  private static Map<String, RewardResult> results(String topic) {
    List<ConsumerRecord<String, RewardResult>> read =
        Pipelines.readCommitted(
            kafka,
            topic,
            AvroSerdes.rewardResult().deserializer(),
            r -> r.size() >= PAIRS,
            Duration.ofSeconds(180),
            Duration.ofSeconds(1));
    return Pipelines.byUniqueKey(read);
  }

  private static Path qwen3Dir() {
    Path judge = Pipelines.judgeDir(); // .../models/judge-tiny
    Path dir = judge.getParent().resolve("qwen3").resolve("tiny-random");
    assertThat(Files.isRegularFile(dir.resolve("model.onnx"))).as(dir.toString()).isTrue();
    return dir;
  }
}
