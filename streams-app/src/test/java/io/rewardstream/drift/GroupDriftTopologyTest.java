package io.rewardstream.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rewardstream.avro.DriftAlert;
import io.rewardstream.avro.DriftStatistic;
import io.rewardstream.avro.GroupRewardResult;
import io.rewardstream.avro.GroupStatus;
import io.rewardstream.avro.GroupWindowStats;
import io.rewardstream.avro.ResponseReward;
import io.rewardstream.schemas.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Group drift on a test driver, one-minute windows, a reference of 2 windows, 20 groups a window
 * needed:
 *
 * <pre>
 * windows 0, 1  25 groups of 4 with rewards (-1.5, -0.5, 0.5, 1.5) → reference (spread 1.118)
 * window 2      25 groups, same                                   → tested, no alert
 * window 3      25 groups with rewards ±0.2 (spread 0.2)          → GROUP_SPREAD
 * window 4      15 all-tie groups + 10 normal ones                → GROUP_SPREAD and GROUP_TIES
 * </pre>
 */
class GroupDriftTopologyTest {

  private static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
  private static final long MINUTE = 60_000;
  private static final double[] WIDE = {-1.5, -0.5, 0.5, 1.5};
  private static final double[] NARROW = {-0.2, -0.2, 0.2, 0.2};
  private static final double[] TIED = {0, 0, 0, 0};

  private TopologyTestDriver driver;
  private TestInputTopic<String, GroupRewardResult> in;
  private TestOutputTopic<String, GroupWindowStats> stats;
  private TestOutputTopic<String, DriftAlert> alerts;
  private int ids;

  private void start() {
    Properties p = new Properties();
    p.setProperty(DriftConfig.WINDOW_MS, "60000");
    p.setProperty(DriftConfig.GRACE_MS, "0");
    p.setProperty(DriftConfig.REFERENCE_WINDOWS, "2");
    DriftConfig config = DriftConfig.fromProperties(p);
    StreamsBuilder builder = new StreamsBuilder();
    GroupDriftTopology.addTo(
        builder, config, "group-rewards", "group-reward-stats", "reward-drift-alerts");
    Properties streams = new Properties();
    streams.setProperty(StreamsConfig.APPLICATION_ID_CONFIG, "group-drift-test");
    streams.setProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(builder.build(), streams);
    in =
        driver.createInputTopic(
            "group-rewards",
            Topics.GROUP_REWARDS.keySerde().serializer(),
            Topics.GROUP_REWARDS.valueSerde().serializer());
    stats =
        driver.createOutputTopic(
            "group-reward-stats",
            Topics.GROUP_REWARD_STATS.keySerde().deserializer(),
            Topics.GROUP_REWARD_STATS.valueSerde().deserializer());
    alerts =
        driver.createOutputTopic(
            "reward-drift-alerts",
            Topics.DRIFT_ALERTS.keySerde().deserializer(),
            Topics.DRIFT_ALERTS.valueSerde().deserializer());
  }

  @AfterEach
  void close() {
    driver.close();
  }

  private void window(int w, double[] rewards, int n) {
    for (int k = 0; k < n; k++) {
      GroupRewardResult g = group(rewards, T0 + w * MINUTE + 1_000 + k * 100);
      in.pipeInput(g.getGroupId(), g);
    }
  }

  private GroupRewardResult group(double[] rewards, long scoredAt) {
    List<ResponseReward> responses = new ArrayList<>();
    for (int i = 0; i < rewards.length; i++) {
      responses.add(new ResponseReward("r" + i, rewards[i], 0.5, 1, 0, 0, 0, 0));
    }
    return GroupRewardResult.newBuilder()
        .setGroupId("g" + ids++)
        .setStatus(GroupStatus.OK)
        .setStrategy("swiss")
        .setResponses(responses)
        .setComparisons(List.of())
        .setComparisonCount(4)
        .setMode("greedy")
        .setJudgeId("judge")
        .setJudgeVersion("j-1")
        .setModelHash("00")
        .setSeed(1)
        .setLatencyMs(10)
        .setScoredAt(Instant.ofEpochMilli(scoredAt))
        .setPolicyVersion("pi-1")
        .build();
  }

  @Test
  void aCollapsingSpreadAndAllTieGroupsRaiseTheirAlerts() {
    start();
    window(0, WIDE, 25);
    window(1, WIDE, 25);
    window(2, WIDE, 25);
    window(3, NARROW, 25);
    window(4, TIED, 15);
    window(4, WIDE, 10);
    window(6, WIDE, 1); // stream time past window 4: it closes

    List<GroupWindowStats> windows = stats.readValuesToList();
    assertThat(windows).hasSize(5);
    GroupWindowStats first = windows.get(0);
    assertThat(first.getGroupCount()).isEqualTo(25);
    assertThat(first.getMeanRewardSpread()).isCloseTo(Math.sqrt(1.25), within(1e-9));
    assertThat(first.getAllTieRate()).isZero();
    assertThat(first.getMeanGroupSize()).isEqualTo(4.0);
    assertThat(windows.get(3).getMeanRewardSpread()).isCloseTo(0.2, within(1e-9));
    assertThat(windows.get(4).getAllTieRate()).isCloseTo(0.6, within(1e-9));

    List<DriftAlert> raised = alerts.readValuesToList();
    assertThat(raised)
        .extracting(a -> a.getStatistic() + "@" + (a.getWindowStart().toEpochMilli() - T0) / MINUTE)
        .containsExactly("GROUP_SPREAD@3", "GROUP_SPREAD@4", "GROUP_TIES@4");
    DriftAlert spread = raised.get(0);
    assertThat(spread.getStatistic()).isEqualTo(DriftStatistic.GROUP_SPREAD);
    assertThat(spread.getValue()).isCloseTo(0.2 / Math.sqrt(1.25), within(1e-9));
    assertThat(spread.getMessage()).contains("advantages");
    assertThat(raised.get(2).getMessage()).contains("60 %").contains("0 % in the reference");
  }
}
