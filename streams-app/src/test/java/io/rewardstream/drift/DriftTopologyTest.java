package io.rewardstream.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rewardstream.avro.CandidateVerdict;
import io.rewardstream.avro.DriftAlert;
import io.rewardstream.avro.DriftStatistic;
import io.rewardstream.avro.JudgmentCandidate;
import io.rewardstream.avro.Preference;
import io.rewardstream.avro.ResponseOrder;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RewardWindowStats;
import io.rewardstream.avro.ScoreStatus;
import io.rewardstream.schemas.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real drift topology in a TopologyTestDriver: rewards whose p_a_better distribution shifts in
 * a known window, with event times from scored_at, a late result inside the grace period, one after
 * it, and a second key too small to test.
 *
 * <p>Windows of 60 s, grace 10 s, reference = the first 2 windows, min count 30 (PSI too). Per key
 * "pi-1|judge-1":
 *
 * <pre>
 * window 0  40 OK "broad" (p = .1 .3 .5 .7 .9, 8 each) + 2 FAILED    → reference
 * window 1  40 OK broad + 1 FAILED arriving late but within grace    → reference
 * window 2  40 OK broad                                              → tested, same distribution
 * window 3  40 OK "shifted" (p = .7 .9, 20 each)                     → tested, PSI + KS + MEAN_SHIFT
 * window 4  10 OK shifted                                            → below min count, not tested
 * </pre>
 */
class DriftTopologyTest {

  private static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
  private static final long MINUTE = 60_000;
  private static final String KEY = "pi-1|judge-1";
  private static final double[] BROAD = {0.1, 0.3, 0.5, 0.7, 0.9};
  private static final double[] SHIFTED = {0.7, 0.9};

  private TopologyTestDriver driver;
  private TestInputTopic<String, RewardResult> rewards;
  private TestOutputTopic<String, RewardWindowStats> stats;
  private TestOutputTopic<String, DriftAlert> alerts;
  private final AtomicInteger ids = new AtomicInteger();

  @BeforeEach
  void setUp() {
    start(testConfig());
  }

  private static Properties testConfig() {
    Properties p = new Properties();
    p.setProperty("drift.window.ms", "60000");
    p.setProperty("drift.grace.ms", "10000");
    p.setProperty("drift.reference.windows", "2");
    p.setProperty("drift.min.count", "30");
    p.setProperty("drift.psi.min.count", "30");
    return p;
  }

  private void start(Properties driftProperties) {
    DriftConfig config = DriftConfig.fromProperties(driftProperties);
    Properties streams = new Properties();
    streams.setProperty(StreamsConfig.APPLICATION_ID_CONFIG, "drift-test");
    streams.setProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver =
        new TopologyTestDriver(
            DriftTopology.build(config), streams, Instant.parse("2026-02-01T00:00:00Z"));
    rewards =
        driver.createInputTopic(
            "rewards",
            Topics.REWARDS.keySerde().serializer(),
            Topics.REWARDS.valueSerde().serializer());
    stats =
        driver.createOutputTopic(
            "reward-stats",
            Topics.REWARD_STATS.keySerde().deserializer(),
            Topics.REWARD_STATS.valueSerde().deserializer());
    alerts =
        driver.createOutputTopic(
            "reward-drift-alerts",
            Topics.DRIFT_ALERTS.keySerde().deserializer(),
            Topics.DRIFT_ALERTS.valueSerde().deserializer());
  }

  @AfterEach
  void tearDown() {
    driver.close();
  }

  @Test
  void emitsOneStatsRecordPerClosedWindowAndAlertsOnlyOnTheShiftedWindow() {
    // Step 1: windows 0 and 1 (the reference), with failures, a late result and a second key.
    pipeWindow(0, BROAD, 40);
    pipe(failed("pi-1", T0 + 41_000));
    pipe(failed("pi-1", T0 + 42_000));
    pipe(ok("pi-2", 0.5, T0 + 5_000)); // another key: a window of 1, never tested
    pipeWindow(1, BROAD, 40);
    pipe(ok("pi-1", 0.5, T0 + 2 * MINUTE + 1_000)); // stream time 2:01, window 1 still open
    pipe(failed("pi-1", T0 + MINUTE + 59_000)); // late, inside the 10 s grace: counted
    // Step 2: window 2, same distribution (one result already piped above), then a too-late one.
    pipeWindow(2, BROAD, 39, 2_000);
    pipe(ok("pi-1", 0.1, T0 + 30_000)); // window 0 closed long ago: dropped by the window store
    // Step 3: the shift, a small last window, and a result far ahead that closes them all.
    pipeWindow(3, SHIFTED, 40);
    pipeWindow(4, SHIFTED, 10);
    pipe(ok("pi-1", 0.5, T0 + 10 * MINUTE));

    List<KeyValue<String, RewardWindowStats>> emitted = stats.readKeyValuesToList();
    List<KeyValue<String, DriftAlert>> raised = alerts.readKeyValuesToList();

    // Then: one final record per key and closed window, in window order.
    List<RewardWindowStats> pi1 = ofKey(emitted, KEY);
    assertThat(pi1)
        .extracting(s -> (s.getWindowStart().toEpochMilli() - T0) / MINUTE)
        .containsExactly(0L, 1L, 2L, 3L, 4L);
    assertThat(pi1)
        .extracting(RewardWindowStats::getCount)
        .containsExactly(42L, 41L, 40L, 40L, 10L);
    assertThat(ofKey(emitted, "pi-2|judge-1"))
        .singleElement()
        .satisfies(s -> assertThat(s.getCount()).isEqualTo(1L));

    assertWindowZero(pi1.get(0));
    assertThat(pi1.get(1).getFailedRate()).isCloseTo(1.0 / 41, within(1e-12));
    assertThat(pi1.get(3).getPABetterHistogram())
        .containsExactly(0L, 0L, 0L, 0L, 0L, 0L, 0L, 20L, 0L, 20L);

    // And: alerts for window 3 only, one per statistic, against the reference windows 0..1.
    assertThat(raised).extracting(kv -> kv.key).containsOnly(KEY);
    assertThat(raised)
        .extracting(kv -> kv.value.getStatistic())
        .containsExactly(DriftStatistic.PSI, DriftStatistic.KS, DriftStatistic.MEAN_SHIFT);
    for (KeyValue<String, DriftAlert> kv : raised) {
      DriftAlert alert = kv.value;
      assertThat(alert.getWindowStart().toEpochMilli()).isEqualTo(T0 + 3 * MINUTE);
      assertThat(alert.getWindowEnd().toEpochMilli()).isEqualTo(T0 + 4 * MINUTE);
      assertThat(alert.getReferenceStart().toEpochMilli()).isEqualTo(T0);
      assertThat(alert.getReferenceEnd().toEpochMilli()).isEqualTo(T0 + 2 * MINUTE);
      assertThat(alert.getPolicyVersion()).isEqualTo("pi-1");
      assertThat(alert.getJudgeVersion()).isEqualTo("judge-1");
      assertThat(alert.getAlertId())
          .isEqualTo(KEY + "|" + alert.getStatistic() + "|" + (T0 + 3 * MINUTE));
      assertThat(alert.getMessage()).contains("pi-1", "judge-1");
    }
    assertShiftedValues(raised);
  }

  @Test
  void groupedByJudgeThePolicyVersionsShareOneSeriesAndOneReference() {
    driver.close();
    Properties p = testConfig();
    p.setProperty("drift.group.by", "judge");
    start(p);

    // Step 1: every window mixes two policy versions, half each; the shift comes with pi-2 only.
    for (int window = 0; window < 4; window++) {
      for (int i = 0; i < 40; i++) {
        String policy = i % 2 == 0 ? "pi-1" : "pi-2";
        double[] ps = window == 3 && policy.equals("pi-2") ? SHIFTED : BROAD;
        pipe(ok(policy, ps[(i / 2) % ps.length], T0 + window * MINUTE + i * 1_000L));
      }
    }
    pipe(ok("pi-2", 0.5, T0 + 10 * MINUTE));

    // Then: one series "*|judge-1" holding both policies' results, and alerts on window 3 only.
    List<KeyValue<String, RewardWindowStats>> emitted = stats.readKeyValuesToList();
    assertThat(emitted).extracting(kv -> kv.key).containsOnly("*|judge-1");
    assertThat(emitted).extracting(kv -> kv.value.getCount()).containsExactly(40L, 40L, 40L, 40L);
    assertThat(emitted).allSatisfy(kv -> assertThat(kv.value.getPolicyVersion()).isEqualTo("*"));
    List<DriftAlert> raised = alerts.readValuesToList();
    assertThat(raised).isNotEmpty();
    assertThat(raised)
        .allSatisfy(
            alert -> {
              assertThat(alert.getWindowStart().toEpochMilli()).isEqualTo(T0 + 3 * MINUTE);
              assertThat(alert.getPolicyVersion()).isEqualTo("*");
              assertThat(alert.getMessage()).contains("all policies under judge judge-1");
            });
  }

  @Test
  void nodeStoreAndInternalTopicNamesAreStable() {
    // Renaming any of these orphans the state of a running deployment, so they are pinned here.
    String description = DriftTopology.build(DriftConfig.defaults()).describe().toString();

    assertThat(description)
        .contains(
            DriftTopology.SOURCE,
            DriftTopology.EVENT_TIME,
            "drift-by-version-repartition",
            DriftTopology.WINDOW_STORE,
            DriftTopology.SUPPRESS,
            DriftTopology.WINDOW_STATS,
            DriftTopology.STATS_SINK,
            DriftTopology.DETECT,
            DriftTopology.REFERENCE_STORE,
            DriftTopology.ALERTS_SINK,
            "topic: reward-stats",
            "topic: reward-drift-alerts");
  }

  /** Hand-computed values of window 3 against the pooled windows 0 and 1. */
  private static void assertShiftedValues(List<KeyValue<String, DriftAlert>> raised) {
    DriftAlert psi = raised.get(0).value;
    DriftAlert ks = raised.get(1).value;
    DriftAlert shift = raised.get(2).value;
    // Reference: 80 scored, bins 1,3,5,7,9 at 16 each (share .2). Window: bins 7,9 at 20 (share
    // .5); its empty bins 1,3,5 count as 0.5/40 = .0125.
    // PSI = 3·(.0125-.2)·ln(.0125/.2) + 2·(.5-.2)·ln(.5/.2)
    //     = 3·(-.1875)·(-2.7725887) + 2·.3·.9162907 = 1.5595812 + 0.5497744 = 2.1093556
    assertThat(psi.getValue()).isCloseTo(2.1093556, within(1e-6));
    assertThat(psi.getThreshold()).isEqualTo(0.2);
    // CDFs at bins 1,3,5,7,9: ref .2 .4 .6 .8 1, window 0 0 0 .5 1 → D = .6
    // critical = 1.6276236 · sqrt((80+40)/(80·40)) = 1.6276236 · 0.1936492 = 0.3151880
    assertThat(ks.getValue()).isCloseTo(0.6, within(1e-12));
    assertThat(ks.getThreshold()).isCloseTo(0.3151880, within(1e-6));
    // Margins 2p-1. Ref: -.8 -.4 0 .4 .8 ×16, mean 0, var = 16·1.6/79 = 0.3240506.
    // Window: .4 .8 ×20, mean .6, var = 40·.04/39 = 0.0410256.
    // z = .6 / sqrt(.0410256/40 + .3240506/80) = .6 / 0.0712480 = 8.4212920
    assertThat(shift.getValue()).isCloseTo(8.421292, within(1e-5));
    assertThat(shift.getThreshold()).isEqualTo(4.0);
  }

  private static void assertWindowZero(RewardWindowStats s) {
    // 40 scored (8 each of p .1 .3 .5 .7 .9) + 2 FAILED.
    assertThat(s.getPolicyVersion()).isEqualTo("pi-1");
    assertThat(s.getJudgeId()).isEqualTo("tiny");
    assertThat(s.getJudgeVersion()).isEqualTo("judge-1");
    assertThat(s.getWindowEnd().toEpochMilli()).isEqualTo(T0 + MINUTE);
    assertThat(s.getPABetterHistogram()).containsExactly(0L, 8L, 0L, 8L, 0L, 8L, 0L, 8L, 0L, 8L);
    assertThat(s.getMeanPABetter()).isCloseTo(0.5, within(1e-12));
    // Σ(p-.5)² = 8·(.16+.04+0+.04+.16) = 3.2 → std = sqrt(3.2/39) = 0.2864459
    assertThat(s.getStdPABetter()).isCloseTo(0.2864459, within(1e-6));
    assertThat(s.getMeanRewardMargin()).isCloseTo(0.0, within(1e-12));
    // margin = 2p-1 → std twice as large: sqrt(12.8/39) = 0.5728919
    assertThat(s.getStdRewardMargin()).isCloseTo(0.5728919, within(1e-6));
    assertThat(s.getFailedRate()).isCloseTo(2.0 / 42, within(1e-12));
    // The 8 results at p = .5 are TIEs: 8/40.
    assertThat(s.getTieRate()).isCloseTo(0.2, within(1e-12));
    // 2 candidates per OK result, one ABSTAIN in each TIE: 8/80.
    assertThat(s.getAbstainRate()).isCloseTo(0.1, within(1e-12));
    // consistency .5 at p = .1 (8), 1 at .3/.7/.9 (24), null at .5: (4 + 24)/32 = .875
    assertThat(s.getPositionConsistencyRate()).isCloseTo(0.875, within(1e-12));
    assertThat(s.getMeanAnalysisLength()).isCloseTo(10.0, within(1e-12));
    // latency 100 ms OK, 500 ms FAILED: (40·100 + 2·500)/42 = 119.047619
    assertThat(s.getMeanLatencyMs()).isCloseTo(5000.0 / 42, within(1e-9));
    assertThat(s.getProducedAt()).isEqualTo(Instant.parse("2026-02-01T00:00:00Z"));
  }

  private void pipeWindow(int window, double[] ps, int n) {
    pipeWindow(window, ps, n, 0);
  }

  /** n results one second apart from {@code offsetMs} into the window, cycling through ps. */
  private void pipeWindow(int window, double[] ps, int n, long offsetMs) {
    for (int i = 0; i < n; i++) {
      pipe(ok("pi-1", ps[i % ps.length], T0 + window * MINUTE + offsetMs + i * 1_000L));
    }
  }

  private void pipe(RewardResult result) {
    // A record timestamp unrelated to scored_at: the windows must follow scored_at.
    rewards.pipeInput(result.getRolloutId(), result, T0 + 30 * MINUTE);
  }

  private RewardResult ok(String policy, double p, long scoredAt) {
    boolean tie = p == 0.5;
    return base(policy, scoredAt)
        .setStatus(ScoreStatus.OK)
        .setPreferred(tie ? Preference.TIE : p > 0.5 ? Preference.A : Preference.B)
        .setPABetter(p)
        .setRewardA(p - 0.5)
        .setRewardB(0.5 - p)
        .setChosenAnalysis("x".repeat(10))
        .setCandidates(
            List.of(
                candidate(0, CandidateVerdict.A),
                candidate(1, tie ? CandidateVerdict.ABSTAIN : CandidateVerdict.B)))
        .setPositionConsistency(tie ? null : p == 0.1 ? 0.5 : 1.0)
        .setLatencyMs(100)
        .build();
  }

  private RewardResult failed(String policy, long scoredAt) {
    return base(policy, scoredAt)
        .setStatus(ScoreStatus.FAILED)
        .setFailureReason("judge timed out")
        .setPreferred(Preference.TIE)
        .setPABetter(0.5)
        .setRewardA(0.0)
        .setRewardB(0.0)
        .setCandidates(List.of())
        .setLatencyMs(500)
        .build();
  }

  private RewardResult.Builder base(String policy, long scoredAt) {
    return RewardResult.newBuilder()
        .setRolloutId("r-" + ids.incrementAndGet())
        .setJudgeId("tiny")
        .setJudgeVersion("judge-1")
        .setModelHash("sha256:0")
        .setSeed(1)
        .setScoredAt(Instant.ofEpochMilli(scoredAt))
        .setPolicyVersion(policy);
  }

  private static JudgmentCandidate candidate(int index, CandidateVerdict verdict) {
    return JudgmentCandidate.newBuilder()
        .setIndex(index)
        .setOrder(index == 0 ? ResponseOrder.AB : ResponseOrder.BA)
        .setVerdict(verdict)
        .setConfidence(-0.5)
        .build();
  }

  private static List<RewardWindowStats> ofKey(
      List<KeyValue<String, RewardWindowStats>> records, String key) {
    List<RewardWindowStats> out = new ArrayList<>();
    records.stream().filter(kv -> kv.key.equals(key)).forEach(kv -> out.add(kv.value));
    return out;
  }
}
