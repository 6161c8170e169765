package io.rewardstream.judge.group;

import io.rewardstream.judge.Verdict;

/**
 * A judged match: what the group result shows and what the Bradley–Terry fit uses.
 *
 * @param match the match
 * @param preferred A, B or TIE; null when the comparison failed
 * @param pABetter the judge's probability-like score that response {@code i} (shown as A) is better
 * @param positionConsistency the judge's position consistency, null when unknown
 * @param analysis the analysis that decided it ("" if none)
 * @param failureReason null when judged; otherwise why the judge could not
 * @param generations generations the judge ran for it
 * @param tokens tokens the judge generated for it
 */
public record Comparison(
    Match match,
    Verdict.Preference preferred,
    double pABetter,
    Double positionConsistency,
    String analysis,
    String failureReason,
    int generations,
    long tokens) {

  /** The comparison a verdict on the match's pair gives. */
  public static Comparison of(Match match, Verdict verdict) {
    return new Comparison(
        match,
        verdict.ok() ? verdict.preferred() : null,
        verdict.pABetter(),
        verdict.positionConsistency(),
        verdict.chosenAnalysis() == null ? "" : verdict.chosenAnalysis(),
        verdict.failureReason(),
        verdict.generations(),
        verdict.tokensUsed());
  }

  /** Whether the judge gave a verdict (a failed comparison is left out of the fit). */
  public boolean ok() {
    return failureReason == null;
  }
}
