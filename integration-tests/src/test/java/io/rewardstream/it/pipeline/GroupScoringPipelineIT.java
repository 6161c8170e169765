package io.rewardstream.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rewardstream.app.AppConfig;
import io.rewardstream.app.RewardStreamApp;
import io.rewardstream.avro.ComparisonOutcome;
import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.GroupComparison;
import io.rewardstream.avro.GroupResponse;
import io.rewardstream.avro.GroupRewardResult;
import io.rewardstream.avro.GroupStatus;
import io.rewardstream.avro.ResponseReward;
import io.rewardstream.avro.RolloutGroup;
import io.rewardstream.eval.EvalGroup;
import io.rewardstream.it.KafkaClusterExtension;
import io.rewardstream.it.pipeline.Pipelines.Raw;
import io.rewardstream.it.pipeline.Pipelines.Topics;
import io.rewardstream.judge.Judge;
import io.rewardstream.judge.group.GroupRanker;
import io.rewardstream.judge.group.GroupStrategy;
import io.rewardstream.schemas.AvroSerdes;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group scoring through a real broker with the real bundled judge: 40 held-out groups of 6 (2 or 3
 * right responses each, the rest wrong in different ways), swiss strategy.
 *
 * <ul>
 *   <li>in this JVM, with bad groups between the good ones: one committed result per good group,
 *       equal to ranking the same groups directly with the judge ({@link GroupRanker}, no Kafka),
 *       the right responses ranked above the wrong ones, each bad group dead-lettered once;
 *   <li>in a child JVM killed by SIGKILL mid-run and restarted, in vote mode (sampled): still one
 *       result per group, equal to the direct ranking.
 * </ul>
 */
class GroupScoringPipelineIT {

  private static final Logger log = LoggerFactory.getLogger(GroupScoringPipelineIT.class);

  private static final int GROUPS = 40;
  private static final int SIZE = 6;

  @RegisterExtension
  static final KafkaClusterExtension kafka = KafkaClusterExtension.fromSystemProperties();

  /** The first 40 held-out groups of 8, cut to their first 6 responses. */
  private static List<EvalGroup> truth() {
    Path file = Pipelines.judgeDir().resolve("heldout-groups8.jsonl");
    List<EvalGroup> groups = new ArrayList<>();
    for (EvalGroup g : EvalGroup.readJsonl(file, GROUPS)) {
      groups.add(
          new EvalGroup(
              g.id(),
              g.prompt(),
              g.subset(),
              g.texts().subList(0, SIZE),
              g.correct().subList(0, SIZE)));
    }
    return groups;
  }

  private static RolloutGroup avro(EvalGroup g) {
    List<GroupResponse> responses = new ArrayList<>();
    for (int k = 0; k < g.texts().size(); k++) {
      responses.add(new GroupResponse("r" + k, g.texts().get(k)));
    }
    return RolloutGroup.newBuilder()
        .setGroupId(g.id())
        .setPrompt(g.prompt())
        .setResponses(responses)
        .setPolicyVersion("policy-1")
        .setProducedAt(Instant.parse("2026-01-01T00:00:00Z"))
        .build();
  }

  private static Raw raw(RolloutGroup group) {
    return Raw.of(
        group.getGroupId(), AvroSerdes.rolloutGroup().serializer().serialize("it", group));
  }

  private static String[] groupSettings(String groupTopic, String resultTopic, String mode) {
    return new String[] {
      AppConfig.GROUPS_ENABLED,
      "true",
      AppConfig.TOPIC_GROUPS_INPUT,
      groupTopic,
      AppConfig.TOPIC_GROUPS_OUTPUT,
      resultTopic,
      AppConfig.GROUP_STRATEGY,
      "swiss",
      AppConfig.JUDGE_MODE,
      mode,
      AppConfig.JUDGE_SAMPLES,
      mode.equals("greedy") ? "2" : "4"
    };
  }

  @Test
  void fortyGroupsInFortyResultsOutEqualToADirectRankingBadGroupsDeadLettered() {
    // Step 1: topics and input: 40 good groups with 4 bad ones between them.
    Topics topics = Topics.create(kafka, "groups", 3);
    String groupTopic = kafka.createTopic("groups-in", 3);
    String resultTopic = kafka.createTopic("groups-out", 3);
    List<EvalGroup> truth = truth();
    List<Raw> input = new ArrayList<>();
    truth.forEach(g -> input.add(raw(avro(g))));
    RolloutGroup single = avro(truth.get(0));
    single.setGroupId("bad-size");
    single.setResponses(single.getResponses().subList(0, 1));
    RolloutGroup twice = avro(truth.get(1));
    twice.setGroupId("bad-ids");
    twice.getResponses().get(3).setResponseId("r0");
    RolloutGroup blank = avro(truth.get(2));
    blank.setGroupId("bad-text");
    blank.getResponses().get(2).setText(" ");
    input.add(10, raw(single));
    input.add(20, raw(twice));
    input.add(30, raw(blank));
    input.add(Raw.of("bad-bytes", new byte[] {0x42}));
    AppConfig config =
        Pipelines.config(
            kafka,
            "groups-" + System.nanoTime(),
            topics,
            16,
            Pipelines.tempDir("groups"),
            groupSettings(groupTopic, resultTopic, "greedy"));

    // Step 2: the app scores them; the direct ranking with the same judge settings is the truth.
    List<ConsumerRecord<String, GroupRewardResult>> results;
    try (RewardStreamApp app = RewardStreamApp.start(config)) {
      app.awaitRunning(Duration.ofSeconds(60));
      Pipelines.produce(kafka, groupTopic, input);
      results =
          Pipelines.readCommitted(
              kafka,
              resultTopic,
              AvroSerdes.groupRewardResult().deserializer(),
              read -> read.size() >= GROUPS,
              Duration.ofMinutes(5),
              Duration.ofSeconds(2));
    }
    List<GroupRanker.Ranked> direct = rankDirectly(config, truth);

    // Step 3: one result per group, equal to the direct ranking, and mostly right.
    Map<String, GroupRewardResult> byId = Pipelines.byUniqueKey(results);
    assertThat(byId.keySet())
        .isEqualTo(truth.stream().map(EvalGroup::id).collect(Collectors.toSet()));
    assertEqualToDirect(byId, truth, direct);
    double pairwise = pairwiseAccuracy(byId, truth);
    log.info("pairwise ordering accuracy over {} groups: {}", GROUPS, pairwise);
    assertThat(pairwise).as("right responses above wrong ones").isGreaterThan(0.8);

    // Step 4: each bad group dead-lettered once, with its reason and group_id.
    List<DeadLetter> dead =
        Pipelines.readAllCommitted(kafka, topics.dlq(), AvroSerdes.deadLetter().deserializer())
            .stream()
            .map(ConsumerRecord::value)
            .toList();
    assertThat(dead)
        .extracting(DeadLetter::getGroupId, DeadLetter::getReasonCode)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("bad-size", DeadLetterReason.GROUP_SIZE),
            org.assertj.core.groups.Tuple.tuple("bad-ids", DeadLetterReason.DUPLICATE_RESPONSE),
            org.assertj.core.groups.Tuple.tuple("bad-text", DeadLetterReason.EMPTY_FIELD),
            org.assertj.core.groups.Tuple.tuple(null, DeadLetterReason.UNDECODABLE));
  }

  @Test
  void killedMidRunEveryGroupHasOneResultEqualToADirectRanking() {
    // Step 1: topics, a config file for the child process (vote mode: sampled judgments).
    Topics topics = Topics.create(kafka, "groupcrash", 1);
    String groupTopic = kafka.createTopic("groupcrash-in", 2);
    String resultTopic = kafka.createTopic("groupcrash-out", 2);
    Path dir = Pipelines.tempDir("groupcrash");
    AppConfig config =
        Pipelines.config(
            kafka,
            "groupcrash-" + System.nanoTime(),
            topics,
            8,
            dir.resolve("state"),
            groupSettings(groupTopic, resultTopic, "vote"));
    Path file = Pipelines.writeConfig(dir, config);
    List<EvalGroup> truth = truth();

    // Step 2: start, produce every group, SIGKILL once some (not all) results are committed.
    try (AppProcess first = AppProcess.start(file, dir.resolve("run-1.log"))) {
      first.awaitLog("-> RUNNING", Duration.ofSeconds(90));
      Pipelines.produce(kafka, groupTopic, truth.stream().map(g -> raw(avro(g))).toList());
      Pipelines.readCommitted(
          kafka,
          resultTopic,
          AvroSerdes.groupRewardResult().deserializer(),
          read -> read.size() >= 6,
          Duration.ofMinutes(3),
          Duration.ZERO);
      first.kill();
    }
    int before =
        Pipelines.readAllCommitted(
                kafka, resultTopic, AvroSerdes.groupRewardResult().deserializer())
            .size();
    assertThat(before).as("killed mid-run").isBetween(6, GROUPS - 1);

    // Step 3: restart; every group gets exactly one result.
    List<ConsumerRecord<String, GroupRewardResult>> results;
    try (AppProcess second = AppProcess.start(file, dir.resolve("run-2.log"))) {
      second.awaitLog("-> RUNNING", Duration.ofSeconds(90));
      results =
          Pipelines.readCommitted(
              kafka,
              resultTopic,
              AvroSerdes.groupRewardResult().deserializer(),
              read -> read.size() >= GROUPS,
              Duration.ofMinutes(5),
              Duration.ofSeconds(2));
      assertThat(second.stop(Duration.ofSeconds(60))).isIn(0, 143);
    }
    log.info("{} of {} groups were committed before the kill", before, GROUPS);

    // Step 4: equal to ranking the same groups directly, with the same judge settings.
    Map<String, GroupRewardResult> byId = Pipelines.byUniqueKey(results);
    assertThat(byId).hasSize(GROUPS);
    assertEqualToDirect(byId, truth, rankDirectly(config, truth));
  }

  private static List<GroupRanker.Ranked> rankDirectly(AppConfig config, List<EvalGroup> truth) {
    try (Judge judge = RewardStreamApp.openJudge(config)) {
      return GroupRanker.rank(
          judge,
          GroupStrategy.SWISS,
          truth.stream().map(EvalGroup::input).toList(),
          config.batchSize(),
          done -> {});
    }
  }

  /** Same comparisons with the same outcomes, same rewards (to float noise), same ranks. */
  private static void assertEqualToDirect(
      Map<String, GroupRewardResult> byId, List<EvalGroup> truth, List<GroupRanker.Ranked> direct) {
    for (int g = 0; g < truth.size(); g++) {
      GroupRewardResult result = byId.get(truth.get(g).id());
      GroupRanker.Ranked expected = direct.get(g);
      assertThat(result.getStatus()).isEqualTo(GroupStatus.OK);
      assertThat(result.getStrategy()).isEqualTo("swiss");
      assertThat(result.getComparisons())
          .extracting(
              c -> List.<Object>of(c.getI(), c.getJ(), c.getRound(), c.getPreferred().name()))
          .as(truth.get(g).id())
          .containsExactlyElementsOf(
              expected.judged().stream()
                  .map(
                      c ->
                          List.<Object>of(
                              c.match().i(),
                              c.match().j(),
                              c.match().round(),
                              c.preferred() == null ? "FAILED" : c.preferred().name()))
                  .toList());
      for (int k = 0; k < SIZE; k++) {
        ResponseReward r = result.getResponses().get(k);
        assertThat(r.getResponseId()).isEqualTo("r" + k);
        assertThat(r.getReward())
            .isCloseTo(expected.scores().responses().get(k).reward(), within(1e-4));
        assertThat(r.getRank()).isEqualTo(expected.scores().responses().get(k).rank());
      }
      assertThat(result.getComparisons())
          .extracting(GroupComparison::getPreferred)
          .doesNotContain(ComparisonOutcome.FAILED);
    }
  }

  private static double pairwiseAccuracy(
      Map<String, GroupRewardResult> byId, List<EvalGroup> truth) {
    double sum = 0;
    for (EvalGroup g : truth) {
      List<ResponseReward> rewards = byId.get(g.id()).getResponses();
      double right = 0;
      int pairs = 0;
      for (int r = 0; r < SIZE; r++) {
        for (int w = 0; w < SIZE; w++) {
          if (g.correct().get(r) && !g.correct().get(w)) {
            double diff = rewards.get(r).getReward() - rewards.get(w).getReward();
            right += diff > 1e-9 ? 1 : diff < -1e-9 ? 0 : 0.5;
            pairs++;
          }
        }
      }
      sum += pairs == 0 ? 1 : right / pairs;
    }
    return sum / truth.size();
  }
}
