package io.rewardstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.app.AppConfig;
import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.Preference;
import io.rewardstream.avro.ResponseOrder;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.avro.ScoreStatus;
import io.rewardstream.schemas.AvroSerdes;
import io.rewardstream.scoring.BatchScorer;
import io.rewardstream.scoring.DeadLetters;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewardTopologyTest {

  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant PRODUCED = Instant.parse("2025-12-31T23:59:00Z");

  @TempDir Path stateDir;

  private final FakeJudgeForTopologyTests judge = new FakeJudgeForTopologyTests();
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> rollouts;
  private TestOutputTopic<String, RewardResult> rewards;
  private TestOutputTopic<String, DeadLetter> dlq;

  @AfterEach
  void closeDriver() {
    if (driver != null) {
      driver.close();
    }
  }

  private void start(int batchSize, long maxWaitMs, String... extra) {
    Properties file = new Properties();
    for (int i = 0; i < extra.length; i += 2) {
      file.setProperty(extra[i], extra[i + 1]);
    }
    file.setProperty(AppConfig.BATCH_SIZE, Integer.toString(batchSize));
    file.setProperty(AppConfig.BATCH_MAX_WAIT_MS, Long.toString(maxWaitMs));
    file.setProperty(AppConfig.JUDGE_MAX_PROMPT_TOKENS, "200");
    file.setProperty(AppConfig.STATE_DIR, stateDir.toString());
    AppConfig config = AppConfig.fromProperties(file);
    driver =
        new TopologyTestDriver(
            RewardTopology.build(config.topologySettings(), judge, CommitBudget.unbounded()),
            config.streamsProperties(),
            START);
    rollouts =
        driver.createInputTopic("rollouts", new StringSerializer(), new ByteArraySerializer());
    rewards =
        driver.createOutputTopic(
            "rewards", new StringDeserializer(), AvroSerdes.rewardResult().deserializer());
    dlq =
        driver.createOutputTopic(
            "rollouts-dlq", new StringDeserializer(), AvroSerdes.deadLetter().deserializer());
  }

  static RolloutPair.Builder pair(String id) {
    return RolloutPair.newBuilder()
        .setRolloutId(id)
        .setPrompt("What is 2 + 2?")
        .setResponseA("4")
        .setResponseB("5")
        .setPolicyVersion("policy-7")
        .setProducedAt(PRODUCED)
        .setGroupId("group-1");
  }

  private static byte[] bytes(RolloutPair pair) {
    return AvroSerdes.rolloutPair().serializer().serialize("rollouts", pair);
  }

  private void send(String id) {
    rollouts.pipeInput(id, bytes(pair(id).build()));
  }

  private List<String> rewardIds() {
    return rewards.readValuesToList().stream().map(RewardResult::getRolloutId).toList();
  }

  private List<KeyValue<String, BufferedPair>> buffer() {
    KeyValueStore<String, BufferedPair> store = driver.getKeyValueStore(RewardTopology.STORE);
    try (KeyValueIterator<String, BufferedPair> it = store.all()) {
      List<KeyValue<String, BufferedPair>> entries = new java.util.ArrayList<>();
      it.forEachRemaining(entries::add);
      return entries;
    }
  }

  private DeadLetter onlyDeadLetter() {
    List<DeadLetter> letters = dlq.readValuesToList();
    assertThat(letters).hasSize(1);
    return letters.get(0);
  }

  @Test
  void namesEveryNode() {
    start(4, 2000);
    TopologyDescription description =
        RewardTopology.build(
                AppConfig.defaults().topologySettings(), judge, CommitBudget.unbounded())
            .describe();
    assertThat(description.toString())
        .contains(
            RewardTopology.SOURCE,
            RewardTopology.VALIDATE,
            RewardTopology.BUFFER,
            RewardTopology.REWARDS_SINK,
            RewardTopology.DLQ_SINK,
            RewardTopology.STORE);
  }

  @Test
  void flushesWhenTheBatchIsFull() {
    // Given a batch size of 3
    start(3, 60_000);

    // When two pairs arrive, nothing is scored yet; they wait in the store
    send("r1");
    send("r2");
    assertThat(rewards.isEmpty()).isTrue();
    assertThat(buffer()).extracting(kv -> kv.key).containsExactlyInAnyOrder("r1", "r2");

    // Then the third fills the batch: one judge call, three results, an empty buffer
    send("r3");
    assertThat(rewardIds()).containsExactly("r1", "r2", "r3");
    assertThat(judge.calls()).containsExactly(List.of("r1", "r2", "r3"));
    assertThat(buffer()).isEmpty();
    assertThat(dlq.isEmpty()).isTrue();
  }

  @Test
  void flushesOnWallClockOnlyAfterMaxWait() {
    start(16, 2000);
    send("r1");

    driver.advanceWallClockTime(Duration.ofMillis(1999));
    assertThat(rewards.isEmpty()).isTrue();
    assertThat(judge.calls()).isEmpty();

    driver.advanceWallClockTime(BatchBufferProcessor.checkInterval(2000));
    assertThat(rewardIds()).containsExactly("r1");
    assertThat(buffer()).isEmpty();
  }

  @Test
  void resultsCarryFullProvenance() {
    start(2, 60_000);
    send("r1");
    driver.advanceWallClockTime(Duration.ofMillis(700));
    send("r2");

    List<KeyValue<String, RewardResult>> results = rewards.readKeyValuesToList();
    assertThat(results).extracting(kv -> kv.key).containsExactly("r1", "r2");
    RewardResult r1 = results.get(0).value;
    var expected = FakeJudgeForTopologyTests.verdictFor("r1");
    assertThat(r1.getStatus()).isEqualTo(ScoreStatus.OK);
    assertThat(r1.getFailureReason()).isNull();
    assertThat(r1.getPreferred().name()).isEqualTo(expected.preferred().name());
    assertThat(r1.getPABetter()).isEqualTo(expected.pABetter());
    assertThat(r1.getRewardA()).isEqualTo(expected.rewardA());
    assertThat(r1.getRewardB()).isEqualTo(expected.rewardB());
    assertThat(r1.getChosenAnalysis()).isEqualTo("analysis 0 of r1");
    assertThat(r1.getChosenIndex()).isZero();
    assertThat(r1.getPositionConsistency()).isEqualTo(0.5);
    assertThat(r1.getJudgeId()).isEqualTo("fake-judge");
    assertThat(r1.getJudgeVersion()).isEqualTo("0.0-test");
    assertThat(r1.getModelHash()).isEqualTo("feedface");
    assertThat(r1.getMode()).isEqualTo("reflect");
    assertThat(r1.getSeed()).isEqualTo(FakeJudgeForTopologyTests.seedOf("r1"));
    assertThat(r1.getGenerations()).isEqualTo(3);
    assertThat(r1.getTokensUsed()).isEqualTo(21);
    assertThat(r1.getPolicyVersion()).isEqualTo("policy-7");
    assertThat(r1.getProducedAt()).isEqualTo(PRODUCED);
    assertThat(r1.getGroupId()).isEqualTo("group-1");
    assertThat(r1.getSourceTopic()).isEqualTo("rollouts");
    assertThat(r1.getSourcePartition()).isZero();
    assertThat(r1.getSourceOffset()).isZero();
    assertThat(results.get(1).value.getSourceOffset()).isEqualTo(1);
    // r1 arrived at START and waited 700 ms of wall clock for r2; the fake judge is instant
    assertThat(r1.getScoredAt()).isBetween(START.plusMillis(700), START.plusMillis(1700));
    assertThat(r1.getLatencyMs()).isBetween(700L, 1700L);
    assertThat(r1.getLatencyMs()).isEqualTo(r1.getScoredAt().toEpochMilli() - START.toEpochMilli());
    assertThat(results.get(1).value.getLatencyMs()).isLessThan(r1.getLatencyMs());
    assertThat(r1.getCandidates()).hasSize(2);
    var anchor = r1.getCandidates().get(0);
    assertThat(anchor.getOrder()).isEqualTo(ResponseOrder.AB);
    assertThat(anchor.getAnchor()).isTrue();
    assertThat(anchor.getWonReflection()).isNull();
    assertThat(anchor.getTokens()).isEqualTo(12);
    assertThat(anchor.getText()).isEqualTo("analysis 0 of r1");
    var other = r1.getCandidates().get(1);
    assertThat(other.getOrder()).isEqualTo(ResponseOrder.BA);
    assertThat(other.getVerdict().name()).isEqualTo("ABSTAIN");
    assertThat(other.getWonReflection()).isFalse();
    assertThat(other.getText()).isNull();
  }

  @Test
  void undecodableBytesAreDeadLetteredWithTheirBytesAndPosition() {
    start(2, 60_000);
    send("r0");
    byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);
    rollouts.pipeInput("bad-key", garbage);

    DeadLetter letter = onlyDeadLetter();
    assertThat(letter.getReasonCode()).isEqualTo(DeadLetterReason.UNDECODABLE);
    assertThat(letter.getReason()).contains("not a RolloutPair");
    assertThat(letter.getRolloutId()).isNull();
    assertThat(letter.getSourceTopic()).isEqualTo("rollouts");
    assertThat(letter.getSourcePartition()).isZero();
    assertThat(letter.getSourceOffset()).isEqualTo(1);
    assertThat(array(letter.getOriginalValue())).isEqualTo(garbage);
    assertThat(array(letter.getOriginalKey()))
        .isEqualTo("bad-key".getBytes(StandardCharsets.UTF_8));
    assertThat(letter.getFailedAt()).isEqualTo(START);
    assertThat(buffer()).extracting(kv -> kv.key).containsExactly("r0");
  }

  @Test
  void aTombstoneIsDeadLetteredAsUndecodable() {
    start(2, 60_000);
    rollouts.pipeInput("r1", (byte[]) null);

    DeadLetter letter = onlyDeadLetter();
    assertThat(letter.getReasonCode()).isEqualTo(DeadLetterReason.UNDECODABLE);
    assertThat(letter.getReason()).contains("tombstone");
    assertThat(letter.getOriginalValue()).isNull();
  }

  @Test
  void anEmptyFieldIsDeadLetteredNamingTheField() {
    start(2, 60_000);
    byte[] value = bytes(pair("r1").setResponseB("   ").build());
    rollouts.pipeInput("r1", value);

    DeadLetter letter = onlyDeadLetter();
    assertThat(letter.getReasonCode()).isEqualTo(DeadLetterReason.EMPTY_FIELD);
    assertThat(letter.getReason()).contains("response_b");
    assertThat(letter.getRolloutId()).isEqualTo("r1");
    assertThat(letter.getPolicyVersion()).isEqualTo("policy-7");
    assertThat(letter.getProducedAt()).isEqualTo(PRODUCED);
    assertThat(array(letter.getOriginalValue())).isEqualTo(value);
    assertThat(buffer()).isEmpty();
  }

  @Test
  void anEmptyRolloutIdIsDeadLetteredWithNoKey() {
    start(2, 60_000);
    rollouts.pipeInput("k", bytes(pair("").build()));

    List<KeyValue<String, DeadLetter>> letters = dlq.readKeyValuesToList();
    assertThat(letters).hasSize(1);
    assertThat(letters.get(0).key).isNull();
    assertThat(letters.get(0).value.getReasonCode()).isEqualTo(DeadLetterReason.EMPTY_FIELD);
    assertThat(letters.get(0).value.getReason()).contains("rollout_id");
  }

  @Test
  void aPairOverTheTokenBudgetIsDeadLetteredWithCountAndLimit() {
    start(2, 60_000);
    byte[] value = bytes(pair("long").setResponseA("x".repeat(300)).build());
    rollouts.pipeInput("long", value);

    DeadLetter letter = onlyDeadLetter();
    int tokens = "What is 2 + 2?".length() + 300 + 1;
    assertThat(letter.getReasonCode()).isEqualTo(DeadLetterReason.OVER_TOKEN_BUDGET);
    assertThat(letter.getReason())
        .contains(tokens + " tokens")
        .contains("judge.max.prompt.tokens=200");
    assertThat(letter.getSourceOffset()).isZero();
    assertThat(array(letter.getOriginalValue())).isEqualTo(value);
  }

  @Test
  void aDuplicateOfABufferedRolloutIsDeadLettered() {
    start(3, 60_000);
    send("r1");
    byte[] second = bytes(pair("r1").setResponseA("another answer").build());
    rollouts.pipeInput("r1", second);

    DeadLetter letter = onlyDeadLetter();
    assertThat(letter.getReasonCode()).isEqualTo(DeadLetterReason.DUPLICATE);
    assertThat(letter.getReason()).contains("r1").contains("already buffered");
    assertThat(letter.getSourceOffset()).isEqualTo(1);
    assertThat(array(letter.getOriginalValue())).isEqualTo(second);

    // The first copy stays buffered and is scored once, with its own provenance
    send("r2");
    send("r3");
    List<RewardResult> results = rewards.readValuesToList();
    assertThat(results).extracting(RewardResult::getRolloutId).containsExactly("r1", "r2", "r3");
    assertThat(results.get(0).getSourceOffset()).isZero();
  }

  @Test
  void aRolloutSentAgainAfterItWasScoredGetsNoSecondReward() {
    start(1, 60_000);
    send("r1");
    assertThat(rewardIds()).containsExactly("r1");

    // an actor's retry, an hour later: same id, scored already
    driver.advanceWallClockTime(Duration.ofHours(1));
    byte[] again = bytes(pair("r1").build());
    rollouts.pipeInput("r1", again);

    assertThat(rewardIds()).isEmpty();
    DeadLetter letter = onlyDeadLetter();
    assertThat(letter.getReasonCode()).isEqualTo(DeadLetterReason.DUPLICATE);
    assertThat(letter.getReason())
        .contains("'r1' was already scored at")
        .contains("input rollouts-0@0")
        .contains("duplicates.retention.ms");
    assertThat(letter.getSourceOffset()).isEqualTo(1);
    assertThat(array(letter.getOriginalValue())).isEqualTo(again);
  }

  @Test
  void aKeyThatIsNotTheRolloutIdIsDeadLettered() {
    start(1, 60_000);
    byte[] value = bytes(pair("r1").build());
    rollouts.pipeInput("r-one", value);
    rollouts.pipeInput(null, bytes(pair("r2").build())); // no key at all is accepted

    DeadLetter letter = onlyDeadLetter();
    assertThat(letter.getReasonCode()).isEqualTo(DeadLetterReason.KEY_MISMATCH);
    assertThat(letter.getReason()).contains("'r-one'").contains("'r1'");
    assertThat(letter.getRolloutId()).isEqualTo("r1");
    assertThat(rewardIds()).containsExactly("r2");
  }

  @Test
  void anOversizeRecordIsDeadLetteredWithAPrefixOfItsBytes() {
    start(1, 60_000, AppConfig.INPUT_MAX_RECORD_BYTES, "4096");
    byte[] value =
        bytes(pair("big").setMetadata(java.util.Map.of("blob", "x".repeat(100_000))).build());
    rollouts.pipeInput("big", value);
    send("small");

    DeadLetter letter = onlyDeadLetter();
    assertThat(letter.getReasonCode()).isEqualTo(DeadLetterReason.OVERSIZE);
    assertThat(letter.getReason())
        .contains((value.length + 3) + " bytes")
        .contains("input.max.record.bytes=4096");
    assertThat(letter.getRolloutId()).isEqualTo("big");
    assertThat(letter.getOriginalValueSize()).isEqualTo(value.length);
    assertThat(array(letter.getOriginalValue()))
        .isEqualTo(java.util.Arrays.copyOf(value, DeadLetters.MAX_ORIGINAL_BYTES));
    assertThat(rewardIds()).containsExactly("small");
  }

  @Test
  void aFailedPairYieldsAFailedResultAndADeadLetter() {
    judge.failing("r2");
    start(3, 60_000);
    send("r1");
    byte[] failing = bytes(pair("r2").build());
    rollouts.pipeInput("r2", failing);
    send("r3");

    List<RewardResult> results = rewards.readValuesToList();
    assertThat(results)
        .extracting(RewardResult::getStatus)
        .containsExactly(ScoreStatus.OK, ScoreStatus.FAILED, ScoreStatus.OK);
    RewardResult failed = results.get(1);
    assertThat(failed.getFailureReason()).isEqualTo("told to fail");
    assertThat(failed.getPreferred()).isEqualTo(Preference.TIE);
    assertThat(failed.getSourceOffset()).isEqualTo(1);
    assertThat(failed.getJudgeId()).isEqualTo("fake-judge");

    DeadLetter letter = onlyDeadLetter();
    assertThat(letter.getReasonCode()).isEqualTo(DeadLetterReason.SCORING_FAILED);
    assertThat(letter.getReason()).contains("told to fail");
    assertThat(letter.getRolloutId()).isEqualTo("r2");
    assertThat(letter.getSourceOffset()).isEqualTo(1);
    assertThat(array(letter.getOriginalValue())).isEqualTo(failing);
    assertThat(array(letter.getOriginalKey())).isEqualTo("r2".getBytes(StandardCharsets.UTF_8));
    assertThat(buffer()).isEmpty();
  }

  @Test
  void aVerdictTheResultCannotHoldBecomesAFailedResult() {
    judge.malformedFor("r2");
    start(2, 60_000);
    send("r1");
    send("r2");

    List<RewardResult> results = rewards.readValuesToList();
    assertThat(results)
        .extracting(RewardResult::getStatus)
        .containsExactly(ScoreStatus.OK, ScoreStatus.FAILED);
    assertThat(results.get(1).getFailureReason()).startsWith("invalid verdict");
    assertThat(results.get(1).getCandidates()).isEmpty();
    assertThat(onlyDeadLetter().getReasonCode()).isEqualTo(DeadLetterReason.SCORING_FAILED);
    assertThat(buffer()).isEmpty();
  }

  @Test
  void aBatchTheJudgeThrowsOnIsScoredPairByPair() {
    judge.throwingOn("poison");
    start(3, 60_000);
    send("r1");
    send("poison");
    send("r3");

    assertThat(judge.calls())
        .containsExactly(
            List.of("r1", "poison", "r3"),
            List.of("r1"),
            List.of("poison"),
            List.of("poison"), // the retry after a backoff: it throws again
            List.of("r3"));
    List<RewardResult> results = rewards.readValuesToList();
    assertThat(results)
        .extracting(RewardResult::getStatus)
        .containsExactly(ScoreStatus.OK, ScoreStatus.FAILED, ScoreStatus.OK);
    assertThat(results.get(1).getFailureReason())
        .contains("judge error")
        .contains("told to throw on poison");
    assertThat(results.get(1).getSeed()).isEqualTo(BatchScorer.UNKNOWN_SEED);
    assertThat(onlyDeadLetter().getReasonCode()).isEqualTo(DeadLetterReason.SCORING_FAILED);
    assertThat(buffer()).isEmpty();

    // The stream thread is alive: the next batch is scored normally
    send("r4");
    send("r5");
    send("r6");
    assertThat(rewardIds()).containsExactly("r4", "r5", "r6");
  }

  @Test
  void anUnexpectedErrorOnOneRecordIsDeadLetteredByTheProcessingHandler() {
    judge.throwingTokensOn("weird");
    start(2, 60_000);
    byte[] value = bytes(pair("weird").build());
    rollouts.pipeInput("weird", value);

    DeadLetter letter = onlyDeadLetter();
    assertThat(letter.getReasonCode()).isEqualTo(DeadLetterReason.OTHER);
    assertThat(letter.getReason())
        .contains(RewardTopology.VALIDATE)
        .contains("weird")
        .contains("counting the judge prompt tokens");
    assertThat(letter.getRolloutId()).isEqualTo("weird");
    assertThat(letter.getSourceTopic()).isEqualTo("rollouts");
    assertThat(letter.getSourceOffset()).isZero();
    assertThat(array(letter.getOriginalValue())).isEqualTo(value);

    // and processing goes on
    send("r1");
    send("r2");
    assertThat(rewardIds()).containsExactly("r1", "r2");
  }

  private static byte[] array(ByteBuffer buffer) {
    if (buffer == null) {
      return null;
    }
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }
}
