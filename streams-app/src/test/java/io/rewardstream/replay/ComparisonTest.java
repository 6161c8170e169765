package io.rewardstream.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rewardstream.avro.Preference;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.ScoreStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComparisonTest {

  static RewardResult result(
      String id, String policy, Preference preferred, double rewardA, ScoreStatus status) {
    return RewardResult.newBuilder()
        .setRolloutId(id)
        .setStatus(status)
        .setPreferred(preferred)
        .setPABetter(rewardA + 0.5)
        .setRewardA(rewardA)
        .setRewardB(-rewardA)
        .setJudgeId("judge-tiny")
        .setJudgeVersion("1")
        .setMode("greedy")
        .setModelHash("h")
        .setSeed(1)
        .setLatencyMs(1)
        .setScoredAt(Instant.EPOCH)
        .setPolicyVersion(policy)
        .build();
  }

  static RewardResult ok(String id, String policy, Preference preferred, double rewardA) {
    return result(id, policy, preferred, rewardA, ScoreStatus.OK);
  }

  /** Baseline and candidate built by hand: every kind of flip once, plus agreements. */
  static Comparison sample() {
    Map<String, RewardResult> base = new LinkedHashMap<>();
    Map<String, RewardResult> cand = new LinkedHashMap<>();
    // policy p1: two agreements (one with a different reward), A->B, B->A
    base.put("r1", ok("r1", "p1", Preference.A, 0.5));
    cand.put("r1", ok("r1", "p1", Preference.A, 0.5));
    base.put("r2", ok("r2", "p1", Preference.B, -0.5));
    cand.put("r2", ok("r2", "p1", Preference.B, -0.3));
    base.put("r3", ok("r3", "p1", Preference.A, 0.5));
    cand.put("r3", ok("r3", "p1", Preference.B, -0.5));
    base.put("r4", ok("r4", "p1", Preference.B, -0.5));
    cand.put("r4", ok("r4", "p1", Preference.A, 0.5));
    // policy p2: A->TIE, B->TIE, TIE->A, TIE->B
    base.put("r5", ok("r5", "p2", Preference.A, 0.5));
    cand.put("r5", ok("r5", "p2", Preference.TIE, 0.0));
    base.put("r6", ok("r6", "p2", Preference.B, -0.5));
    cand.put("r6", ok("r6", "p2", Preference.TIE, 0.0));
    base.put("r7", ok("r7", "p2", Preference.TIE, 0.0));
    cand.put("r7", ok("r7", "p2", Preference.A, 0.25));
    base.put("r8", ok("r8", "p2", Preference.TIE, 0.0));
    cand.put("r8", ok("r8", "p2", Preference.B, -0.5));
    // joined but FAILED on one side: not compared; one id on each side only
    base.put("r9", ok("r9", "p2", Preference.A, 0.5));
    cand.put("r9", result("r9", "p2", Preference.TIE, 0.0, ScoreStatus.FAILED));
    base.put("only-base", ok("only-base", "p1", Preference.A, 0.5));
    cand.put("only-cand", ok("only-cand", "p1", Preference.A, 0.5));
    return Comparison.of("rewards", base, "rewards.v2", cand);
  }

  @Test
  void countsEveryFlipKindAgreementAndDeltas() {
    Comparison c = sample();

    assertThat(c.baselineCount()).isEqualTo(10);
    assertThat(c.candidateCount()).isEqualTo(10);
    assertThat(c.joined()).isEqualTo(9);
    assertThat(c.onlyBaseline()).isEqualTo(1);
    assertThat(c.onlyCandidate()).isEqualTo(1);
    assertThat(c.failedExcluded()).isEqualTo(1);
    Comparison.Stats o = c.overall();
    assertThat(o.compared()).isEqualTo(8);
    assertThat(o.agreed()).isEqualTo(2);
    assertThat(o.agreementRate()).isEqualTo(0.25);
    assertThat(o.flips())
        .containsExactly(
            Map.entry("A->B", 1L),
            Map.entry("B->A", 1L),
            Map.entry("A->TIE", 1L),
            Map.entry("B->TIE", 1L),
            Map.entry("TIE->A", 1L),
            Map.entry("TIE->B", 1L));
    assertThat(o.identicalRewards()).isEqualTo(1);
    // |Δ|: 0, 0.2, 1, 1, 0.5, 0.5, 0.25, 0.5 -> sum 3.95
    assertThat(o.meanAbsDelta()).isCloseTo(3.95 / 8, within(1e-12));
    assertThat(o.maxAbsDelta()).isEqualTo(1.0);
  }

  @Test
  void splitsByPolicyVersionOfTheBaseline() {
    Comparison c = sample();

    assertThat(c.policies()).containsExactly("p1", "p2");
    Comparison.Stats p1 = c.perPolicy().get("p1");
    assertThat(p1.compared()).isEqualTo(4);
    assertThat(p1.agreed()).isEqualTo(2);
    assertThat(p1.flipTotal()).isEqualTo(2);
    assertThat(p1.flips().get("A->B")).isEqualTo(1);
    Comparison.Stats p2 = c.perPolicy().get("p2");
    assertThat(p2.compared()).isEqualTo(4);
    assertThat(p2.agreementRate()).isZero();
    assertThat(p2.flips().get("A->B")).isZero();
    assertThat(p2.flips().get("TIE->B")).isEqualTo(1);
  }

  @Test
  void histogramsDeltasIntoBinsCentredOnEighths() {
    Comparison c = sample();

    long[] h = c.histogram();
    assertThat(h).hasSize(Comparison.BINS);
    assertThat(Comparison.bin(0.0)).isEqualTo(8);
    assertThat(Comparison.bin(-1.0)).isZero();
    assertThat(Comparison.bin(1.0)).isEqualTo(16);
    assertThat(Comparison.bin(0.062)).isEqualTo(8);
    assertThat(Comparison.bin(-0.063)).isEqualTo(7);
    assertThat(Comparison.bin(5)).isEqualTo(16); // clamped
    assertThat(h[8]).isEqualTo(1); // r1: 0
    assertThat(h[0]).isEqualTo(1); // r3: -1
    assertThat(h[16]).isEqualTo(1); // r4: +1
    assertThat(h[Comparison.bin(-0.5)]).isEqualTo(2); // r5, r8
    assertThat(h[Comparison.bin(0.5)]).isEqualTo(1); // r6
    assertThat(h[Comparison.bin(0.25)]).isEqualTo(2); // r7 (0.25) and r2 (0.2) share a bin
    assertThat(java.util.Arrays.stream(h).sum()).isEqualTo(8);
  }

  @Test
  void identicalSidesAgreeFullyAndNothingComparedIsNotANumber() {
    Map<String, RewardResult> side = Map.of("r1", ok("r1", "p", Preference.A, 0.5));
    Comparison same = Comparison.of("a", side, "b", side);
    assertThat(same.overall().agreementRate()).isEqualTo(1.0);
    assertThat(same.overall().identicalRewards()).isEqualTo(1);

    Comparison none = Comparison.of("a", Map.of(), "b", Map.of());
    assertThat(none.overall().agreementRate()).isNaN();
    assertThat(ComparisonReport.json(none)).contains("\"agreement_rate\" : null");
  }

  @Test
  void jsonAndTableCarryTheNumbers() {
    Comparison c = sample();

    String json = ComparisonReport.json(c);
    assertThat(json)
        .contains("\"agreement_rate\" : 0.25", "\"A->TIE\" : 1", "\"flips_total\" : 6")
        .contains("\"p1\"", "\"p2\"", "\"delta_reward_a_histogram\"");
    String table = ComparisonReport.table(c);
    assertThat(table).contains("agreement 25.0% (2/8)", "A→B 1", "TIE→B 1", "p1", "p2");
  }
}
