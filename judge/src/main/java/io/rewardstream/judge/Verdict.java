package io.rewardstream.judge;

import java.util.List;

/**
 * The judge's decision on one pair, with everything a reward result needs.
 *
 * @param rolloutId the pair's id
 * @param preferred A, B or TIE
 * @param pABetter probability-like score that A is better, in [0, 1]
 * @param rewardA reward for response A ({@code pABetter - 0.5})
 * @param rewardB reward for response B ({@code -rewardA})
 * @param chosenAnalysis the analysis text that decided the verdict ("" if none)
 * @param chosenIndex index of that analysis in {@code candidates}, -1 if none
 * @param candidates every judgment generated for the pair
 * @param positionConsistency 1 - |share of A votes in order AB - share in order BA|; null when one
 *     order has no votes
 * @param seed the sampling seed used
 * @param generations number of generations run (judgments + reflections)
 * @param tokensUsed tokens generated for this pair
 * @param failureReason null when scored; otherwise why scoring failed (the other fields are then
 *     neutral)
 */
public record Verdict(
    String rolloutId,
    Preference preferred,
    double pABetter,
    double rewardA,
    double rewardB,
    String chosenAnalysis,
    int chosenIndex,
    List<Candidate> candidates,
    Double positionConsistency,
    long seed,
    int generations,
    long tokensUsed,
    String failureReason) {

  /** Which response won. */
  public enum Preference {
    A,
    B,
    TIE
  }

  /** The order in which a judgment saw the responses: AB = response A shown first. */
  public enum Order {
    AB,
    BA
  }

  /** One judgment's verdict mapped back to A/B; ABSTAIN when its result block did not parse. */
  public enum CandidateVerdict {
    A,
    B,
    ABSTAIN
  }

  /**
   * One generated judgment of the pair.
   *
   * @param index position in the candidate list
   * @param order order the responses were shown in
   * @param verdict parsed verdict, mapped back to A/B
   * @param confidence mean log-prob of the lowest 10 % of its tokens
   * @param anchor whether it was the reflection anchor
   * @param wonReflection whether it beat the anchor; null when not compared
   * @param tokens generated tokens
   * @param text the generated judgment text
   */
  public record Candidate(
      int index,
      Order order,
      CandidateVerdict verdict,
      double confidence,
      boolean anchor,
      Boolean wonReflection,
      int tokens,
      String text) {}

  /** Whether the pair was scored (false: see {@link #failureReason}). */
  public boolean ok() {
    return failureReason == null;
  }

  /** A neutral verdict for a pair that could not be scored. */
  public static Verdict failed(String rolloutId, long seed, String reason) {
    return new Verdict(
        rolloutId, Preference.TIE, 0.5, 0.0, 0.0, "", -1, List.of(), null, seed, 0, 0, reason);
  }
}
