package io.rewardstream.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.app.AppConfig;
import io.rewardstream.app.RewardStreamApp;
import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.avro.ScoreStatus;
import io.rewardstream.it.KafkaClusterExtension;
import io.rewardstream.it.pipeline.Pipelines.Topics;
import io.rewardstream.schemas.AvroSerdes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's main promise on a real broker with the real bundled judge: 200 pairs in, 200
 * committed results out, each rollout exactly once, with full provenance. Greedy mode: this test is
 * about the pipeline, not the judge's quality, and greedy is the cheapest real scoring.
 */
class ExactlyOncePipelineIT {

  private static final Logger log = LoggerFactory.getLogger(ExactlyOncePipelineIT.class);

  private static final int PAIRS = 200;

  @RegisterExtension
  static final KafkaClusterExtension kafka = KafkaClusterExtension.fromSystemProperties();

  /** Scored on the stream thread, and on the judge lane while the stream thread commits. */
  @ParameterizedTest(name = "scoring.overlap={0}")
  @ValueSource(booleans = {false, true})
  void twoHundredPairsInTwoHundredResultsOutEachExactlyOnce(boolean overlap) {
    // Step 1: topics, the app with the real judge, 200 held-out pairs produced.
    Topics topics = Topics.create(kafka, "eo", 3);
    AppConfig config =
        Pipelines.config(
            kafka,
            "eo-" + System.nanoTime(),
            topics,
            32,
            Pipelines.tempDir("eo"),
            AppConfig.SCORING_OVERLAP,
            Boolean.toString(overlap));
    List<RolloutPair> pairs = Pipelines.heldoutPairs("eo", PAIRS);
    long start = System.nanoTime();
    List<ConsumerRecord<String, RewardResult>> results;
    try (RewardStreamApp app = RewardStreamApp.start(config)) {
      app.awaitRunning(Duration.ofSeconds(60));
      Pipelines.produce(kafka, topics.input(), Pipelines.raw(pairs));

      // Step 2: read the rewards under read_committed until all 200 are there, and a bit longer.
      results =
          Pipelines.readCommitted(
              kafka,
              topics.output(),
              AvroSerdes.rewardResult().deserializer(),
              read -> read.size() >= PAIRS,
              Duration.ofMinutes(8),
              Duration.ofSeconds(2));
    }
    log.info("{} pairs scored in {} ms", PAIRS, (System.nanoTime() - start) / 1_000_000);

    // Step 3: exactly one OK result per rollout, keyed by it, carrying its provenance.
    Map<String, RewardResult> byId = Pipelines.byUniqueKey(results);
    assertThat(byId.keySet())
        .isEqualTo(pairs.stream().map(RolloutPair::getRolloutId).collect(Collectors.toSet()));
    assertThat(byId.values())
        .allSatisfy(
            r -> {
              assertThat(r.getStatus()).isEqualTo(ScoreStatus.OK);
              assertThat(r.getMode()).isEqualTo("greedy");
              assertThat(r.getJudgeId()).isNotBlank();
              assertThat(r.getModelHash()).hasSize(64);
              assertThat(r.getSourceTopic()).isEqualTo(topics.input());
              assertThat(r.getSourceOffset()).isNotNegative();
              assertThat(r.getPABetter()).isBetween(0.0, 1.0);
            });
    List<ConsumerRecord<String, DeadLetter>> dead =
        Pipelines.readAllCommitted(kafka, topics.dlq(), AvroSerdes.deadLetter().deserializer());
    assertThat(dead).as("dead letters for good input").isEmpty();
  }
}
