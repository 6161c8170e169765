package io.rewardstream.drift;

import io.rewardstream.avro.RewardWindowStats;
import java.util.Locale;

/**
 * The human text of a drift alert: what moved, by how much, and what it most likely means for an
 * RLHF run. Kept apart from the detection so the wording can change without touching the tests of
 * the maths.
 */
final class AlertMessages {

  private AlertMessages() {}

  static String psi(double psi, double threshold, Reference ref, RewardWindowStats window) {
    return String.format(
            Locale.ROOT,
            "PSI %.3f > %.3f: the p_a_better distribution of %s moved away from its reference. ",
            psi,
            threshold,
            series(window))
        + pABetterChange(ref, window);
  }

  static String ks(
      double d, double critical, double alpha, double pValue, Reference ref, RewardWindowStats w) {
    return String.format(
            Locale.ROOT,
            "KS D %.3f > %.3f (critical value at alpha %s, p ~ %.2g): the p_a_better CDF of %s"
                + " differs from its reference. ",
            d,
            critical,
            alpha,
            pValue,
            series(w))
        + pABetterChange(ref, w);
  }

  static String meanShift(double z, double threshold, Reference ref, RewardWindowStats window) {
    double now = noNegativeZero(window.getMeanRewardMargin());
    double before = noNegativeZero(ref.margin().mean());
    return String.format(
            Locale.ROOT,
            "Mean reward margin (reward_a - reward_b) of %s moved from %.3f to %.3f, %.1f standard"
                + " errors (threshold %.1f). ",
            series(window),
            before,
            now,
            z,
            threshold)
        + "If the actor puts its two samples in A and B at random, the margin should stay near 0:"
        + " a shift means the judge's position bias changed (check position_consistency_rate) or"
        + " the actor's A/B assignment changed. If A is systematically the newer policy's answer, a"
        + " growing margin means the judge increasingly prefers it: real progress or reward"
        + " hacking; confirm with held-out evals before trusting the rewards.";
  }

  /**
   * Direction-specific reading of a p_a_better distribution change: which side the judge now
   * favours (mean p_a_better) and how decisive it is (mean |p_a_better − 0.5|, from bin centres).
   */
  private static String pABetterChange(Reference ref, RewardWindowStats window) {
    double refMean = ref.pABetter().mean();
    double mean = window.getMeanPABetter();
    double refDecisive = decisiveness(ref.histogram());
    double decisive = decisiveness(Reference.histogramOf(window));
    StringBuilder text =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "Mean p_a_better %.3f (reference %.3f); mean |p_a_better - 0.5| %.3f (reference"
                    + " %.3f).",
                mean,
                refMean,
                decisive,
                refDecisive));
    if (Math.abs(mean - refMean) > 0.05) {
      text.append(" The judge now favours ")
          .append(mean > refMean ? "A" : "B")
          .append(
              " more: a change in its position bias or in how the actor assigns A and B, or, if"
                  + " one side is systematically the newer policy's sample, that policy pulling"
                  + " ahead (real progress or reward hacking).");
    }
    if (decisive > refDecisive * 1.2) {
      text.append(
          " The judge became more decisive (p_a_better pushed toward 0 and 1): with a fixed"
              + " policy, easier or different prompts (data shift); if the policy kept training"
              + " under this version, the classic reward-hacking signature (it learned what this"
              + " judge rewards), so check held-out evals and read some chosen_analysis texts.");
    } else if (decisive < refDecisive / 1.2) {
      text.append(
          " The judge became less decisive (p_a_better nearer 0.5): the two responses got harder"
              + " to tell apart (policy samples converging, harder prompts) or the judge degraded;"
              + " check tie_rate, abstain_rate and position_consistency_rate in reward-stats.");
    } else if (Math.abs(mean - refMean) <= 0.05) {
      text.append(
          " The shape changed with no clear direction: most likely a new prompt mix (data"
              + " shift).");
    }
    return text.append(
            " Right after a judge version change, replay these rollouts with the previous judge"
                + " and compare before trusting the new rewards.")
        .toString();
  }

  /** "policy p under judge j", with "all policies" / "all judges" for a pooled dimension. */
  private static String series(RewardWindowStats window) {
    String policy = window.getPolicyVersion();
    String judge = window.getJudgeVersion();
    return (GroupBy.ALL.equals(policy) ? "all policies" : "policy " + policy)
        + " under "
        + (GroupBy.ALL.equals(judge) ? "all judges" : "judge " + judge);
  }

  /** A value that would print as "-0.000" (rounding noise around 0) as 0. */
  private static double noNegativeZero(double value) {
    return Math.abs(value) < 5e-4 ? 0.0 : value;
  }

  /** Mean distance of p_a_better from 0.5, taking each bin's values at its centre. */
  static double decisiveness(long[] histogram) {
    int bins = histogram.length;
    double sum = 0.0;
    long n = 0;
    for (int i = 0; i < bins; i++) {
      sum += histogram[i] * Math.abs((i + 0.5) / bins - 0.5);
      n += histogram[i];
    }
    return n == 0 ? Double.NaN : sum / n;
  }
}
