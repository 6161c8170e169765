package io.rewardstream.eval;

import io.rewardstream.judge.Verdict;
import io.rewardstream.judge.Verdict.Candidate;
import io.rewardstream.judge.Verdict.CandidateVerdict;
import io.rewardstream.judge.Verdict.Preference;

/**
 * Running totals of one row of the eval table. A pair is judged twice: "as given" (A = chosen) and
 * "swapped" (A = rejected).
 */
public final class EvalStats {
  private int pairs;
  private int correctAsGiven;
  private int correctBoth;
  private int consistent;
  private int ties;
  private int candidates;
  private int abstains;
  private int candidatesRight;
  private long generations;
  private long tokens;

  /** Adds one pair's two verdicts. */
  public void add(Verdict asGiven, Verdict swapped) {
    pairs++;
    boolean right1 = asGiven.preferred() == Preference.A;
    boolean right2 = swapped.preferred() == Preference.B;
    correctAsGiven += right1 ? 1 : 0;
    correctBoth += right1 && right2 ? 1 : 0;
    consistent += chosenSide(asGiven, true) == chosenSide(swapped, false) ? 1 : 0;
    ties += (asGiven.preferred() == Preference.TIE ? 1 : 0);
    ties += (swapped.preferred() == Preference.TIE ? 1 : 0);
    count(asGiven, CandidateVerdict.A);
    count(swapped, CandidateVerdict.B);
  }

  /** +1 chosen preferred, -1 rejected preferred, 0 tie. */
  private static int chosenSide(Verdict v, boolean chosenIsA) {
    if (v.preferred() == Preference.TIE) {
      return 0;
    }
    return (v.preferred() == Preference.A) == chosenIsA ? 1 : -1;
  }

  private void count(Verdict v, CandidateVerdict right) {
    generations += v.generations();
    tokens += v.tokensUsed();
    for (Candidate c : v.candidates()) {
      candidates++;
      abstains += c.verdict() == CandidateVerdict.ABSTAIN ? 1 : 0;
      candidatesRight += c.verdict() == right ? 1 : 0;
    }
  }

  public void addAll(EvalStats other) {
    pairs += other.pairs;
    correctAsGiven += other.correctAsGiven;
    correctBoth += other.correctBoth;
    consistent += other.consistent;
    ties += other.ties;
    candidates += other.candidates;
    abstains += other.abstains;
    candidatesRight += other.candidatesRight;
    generations += other.generations;
    tokens += other.tokens;
  }

  public int pairs() {
    return pairs;
  }

  /** Chosen preferred, order as given. */
  public double accuracy() {
    return ratio(correctAsGiven, pairs);
  }

  /** Right in both orders (ReflectRM Table 5's measure). */
  public double bothOrderAccuracy() {
    return ratio(correctBoth, pairs);
  }

  /** Same response preferred in both orders (a tie twice counts as consistent). */
  public double positionConsistency() {
    return ratio(consistent, pairs);
  }

  /** Share of the 2 × pairs verdicts that were TIE. */
  public double tieRate() {
    return ratio(ties, 2 * pairs);
  }

  /** Share of individual judgments whose result did not parse. */
  public double abstainRate() {
    return ratio(abstains, candidates);
  }

  /** Share of individual judgments that preferred the chosen response: the raw model. */
  public double judgmentAccuracy() {
    return ratio(candidatesRight, candidates);
  }

  /** Generations per scoring (one pair in one order). */
  public double generationsPerScore() {
    return ratio(generations, 2 * pairs);
  }

  /** Generated tokens per scoring. */
  public double tokensPerScore() {
    return ratio(tokens, 2 * pairs);
  }

  private static double ratio(double a, double b) {
    return b == 0 ? Double.NaN : a / b;
  }
}
