package io.rewardstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rewardstream.app.AppConfig;
import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.GroupResponse;
import io.rewardstream.avro.GroupRewardResult;
import io.rewardstream.avro.GroupStatus;
import io.rewardstream.avro.ResponseReward;
import io.rewardstream.avro.RolloutGroup;
import io.rewardstream.schemas.AvroSerdes;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The group sub-topology's wiring, with the FAKE judge (quality is the ITs' job). */
class GroupTopologyTest {

  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path stateDir;

  private final FakeJudgeForTopologyTests judge = new FakeJudgeForTopologyTests();
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> groups;
  private TestOutputTopic<String, GroupRewardResult> results;
  private TestOutputTopic<String, DeadLetter> dlq;

  @AfterEach
  void closeDriver() {
    if (driver != null) {
      driver.close();
    }
  }

  private void start(String strategy, int batchSize, String... extra) {
    closeDriver();
    Properties file = new Properties();
    for (int i = 0; i + 1 < extra.length; i += 2) {
      file.setProperty(extra[i], extra[i + 1]);
    }
    file.setProperty(AppConfig.BATCH_SIZE, Integer.toString(batchSize));
    file.setProperty(AppConfig.JUDGE_MAX_PROMPT_TOKENS, "400");
    file.setProperty(AppConfig.STATE_DIR, stateDir.toString());
    file.setProperty(AppConfig.GROUPS_ENABLED, "true");
    file.setProperty(AppConfig.GROUP_STRATEGY, strategy);
    file.setProperty(AppConfig.GROUP_MAX_SIZE, "8");
    AppConfig config = AppConfig.fromProperties(file);
    driver =
        new TopologyTestDriver(
            RewardTopology.build(config.topologySettings(), judge, CommitBudget.unbounded()),
            config.streamsProperties(),
            START);
    groups =
        driver.createInputTopic(
            "rollout-groups", new StringSerializer(), new ByteArraySerializer());
    results =
        driver.createOutputTopic(
            "group-rewards",
            new StringDeserializer(),
            AvroSerdes.groupRewardResult().deserializer());
    dlq =
        driver.createOutputTopic(
            "rollouts-dlq", new StringDeserializer(), AvroSerdes.deadLetter().deserializer());
  }

  static RolloutGroup group(String id, int n) {
    List<GroupResponse> responses = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      responses.add(new GroupResponse("resp-" + k, "answer " + k));
    }
    return RolloutGroup.newBuilder()
        .setGroupId(id)
        .setPrompt("What is 2 + 2?")
        .setResponses(responses)
        .setPolicyVersion("policy-1")
        .setProducedAt(START.minusSeconds(5))
        .build();
  }

  private void send(RolloutGroup group) {
    groups.pipeInput(group.getGroupId(), bytes(group));
  }

  private static byte[] bytes(RolloutGroup group) {
    return AvroSerdes.rolloutGroup().serializer().serialize("rollout-groups", group);
  }

  @Test
  void aGroupsComparisonsFillBatchesAndItsResultComesOnceAtTheEnd() {
    start("round-robin", 4);
    send(group("g1", 6));

    // 15 comparisons in judge calls of at most 4, all of them for g1
    assertThat(judge.calls()).extracting(List::size).containsExactly(4, 4, 4, 3);
    assertThat(judge.calls().get(0)).allMatch(id -> id.startsWith("g1#"));
    List<GroupRewardResult> out = results.readValuesToList();
    assertThat(out).hasSize(1);
    GroupRewardResult result = out.get(0);
    assertThat(result.getStatus()).isEqualTo(GroupStatus.OK);
    assertThat(result.getStrategy()).isEqualTo("round-robin");
    assertThat(result.getComparisonCount()).isEqualTo(15);
    assertThat(result.getComparisons()).hasSize(15);
    assertThat(result.getResponses())
        .extracting(ResponseReward::getResponseId)
        .containsExactly("resp-0", "resp-1", "resp-2", "resp-3", "resp-4", "resp-5");
    assertThat(result.getResponses().stream().mapToDouble(ResponseReward::getReward).sum())
        .isCloseTo(0.0, within(1e-9));
    assertThat(result.getResponses())
        .allSatisfy(r -> assertThat(r.getWins() + r.getLosses() + r.getTies()).isEqualTo(5));
    assertThat(result.getResponses()).extracting(ResponseReward::getRank).contains(1);
    assertThat(result.getSourceTopic()).isEqualTo("rollout-groups");
    assertThat(result.getJudgeId()).isEqualTo("fake-judge");
    assertThat(result.getComparisons()).allMatch(c -> c.getChosenAnalysis() == null);
    assertThat(dlq.isEmpty()).isTrue();
  }

  @Test
  void twoGroupsShareABatchAndSwissCostsLess() {
    start("swiss", 16);
    send(group("g1", 8));
    assertThat(results.readValuesToList())
        .singleElement()
        .satisfies(r -> assertThat(r.getComparisonCount()).isEqualTo(12));

    judge.calls().clear();
    start("anchor", 16);
    send(group("a", 3)); // 2 comparisons
    assertThat(judge.calls()).hasSize(1);
    send(group("b", 3));
    assertThat(results.readValuesToList()).hasSize(2);
  }

  @Test
  void badGroupsAreDeadLetteredWithTheirReason() {
    start("round-robin", 16);
    send(group("one", 1));
    RolloutGroup dup = group("dup", 3);
    dup.getResponses().get(2).setResponseId("resp-0");
    send(dup);
    RolloutGroup blank = group("blank", 3);
    blank.getResponses().get(1).setText("  ");
    send(blank);
    groups.pipeInput("other-key", bytes(group("keyed", 2)));
    groups.pipeInput("junk", new byte[] {1, 2, 3});
    send(group("big", 9));
    send(group("ok", 2));

    List<DeadLetter> letters = dlq.readValuesToList();
    assertThat(letters)
        .extracting(DeadLetter::getReasonCode)
        .containsExactly(
            DeadLetterReason.GROUP_SIZE,
            DeadLetterReason.DUPLICATE_RESPONSE,
            DeadLetterReason.EMPTY_FIELD,
            DeadLetterReason.KEY_MISMATCH,
            DeadLetterReason.UNDECODABLE,
            DeadLetterReason.GROUP_SIZE);
    assertThat(letters.get(0).getReason()).contains("1 responses").contains("group.max.size=8");
    assertThat(letters.get(1).getReason()).contains("'resp-0'").contains("responses[2]");
    assertThat(letters.get(2).getReason()).contains("responses[1].text");
    assertThat(letters.get(0).getGroupId()).isEqualTo("one");
    assertThat(letters.get(0).getRolloutId()).isNull();
    assertThat(results.readValuesToList())
        .extracting(GroupRewardResult::getGroupId)
        .containsExactly("ok");
  }

  @Test
  void aGroupSentAgainIsADuplicateAndAFullyFailedGroupIsFailed() {
    start("round-robin", 16);
    send(group("g1", 2));
    driver.advanceWallClockTime(Duration.ofMinutes(5));
    send(group("g1", 2));
    judge.failing("g2#1v0").failing("g2#0v1");
    send(group("g2", 2));

    List<GroupRewardResult> out = results.readValuesToList();
    assertThat(out).extracting(GroupRewardResult::getGroupId).containsExactly("g1", "g2");
    assertThat(out.get(1).getStatus()).isEqualTo(GroupStatus.FAILED);
    assertThat(out.get(1).getFailureReason()).contains("all 1 comparisons failed");
    assertThat(dlq.readValuesToList())
        .extracting(DeadLetter::getReasonCode)
        .containsExactly(DeadLetterReason.DUPLICATE, DeadLetterReason.SCORING_FAILED);
  }

  @Test
  void anOversizeGroupIsDeadLetteredUnderItsGroupId() {
    start("round-robin", 16, AppConfig.INPUT_MAX_RECORD_BYTES, "4096");
    RolloutGroup big = group("big", 2);
    big.getResponses().get(1).setText("x".repeat(100_000));
    send(big);
    send(group("ok", 2));

    DeadLetter letter = dlq.readValuesToList().get(0);
    assertThat(letter.getReasonCode()).isEqualTo(DeadLetterReason.OVERSIZE);
    assertThat(letter.getReason()).contains("input.max.record.bytes=4096");
    assertThat(letter.getGroupId()).isEqualTo("big");
    assertThat(letter.getOriginalValueSize()).isGreaterThan(100_000);
    assertThat(dlq.isEmpty()).isTrue();
    assertThat(results.readValuesToList())
        .extracting(GroupRewardResult::getGroupId)
        .containsExactly("ok");
  }
}
