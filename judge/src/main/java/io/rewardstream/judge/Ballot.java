package io.rewardstream.judge;

import io.rewardstream.judge.Verdict.CandidateVerdict;
import io.rewardstream.judge.Verdict.Order;
import io.rewardstream.judge.Verdict.Preference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The pure decision rules shared by every mode: confidence, majority vote, ReflectRM's winner-group
 * vote, and the one definition of p_a_better and the rewards (docs/judge.md, "Rewards").
 */
final class Ballot {

  private Ballot() {}

  /** One parsed judgment as the vote sees it. */
  record Judgment(int index, Order order, CandidateVerdict verdict, double confidence) {
    boolean votes() {
      return verdict != CandidateVerdict.ABSTAIN;
    }
  }

  /**
   * The decision on a pair.
   *
   * @param preferred A, B or TIE
   * @param pABetter smoothed share of deciding votes for A: (1 + votes A) / (2 + votes A + votes B)
   * @param chosenIndex the most confident judgment on the winning side (on a tie, the most
   *     confident voter); -1 when nobody voted
   */
  record Outcome(Preference preferred, double pABetter, int chosenIndex) {
    double rewardA() {
      return pABetter - 0.5;
    }

    double rewardB() {
      return -rewardA();
    }
  }

  /**
   * ReflectRM's confidence of a judgment: the mean log-prob of its lowest 10 % of tokens (at least
   * one token). Low when the model hesitated anywhere; -infinity for an empty generation.
   */
  static double confidence(float[] logProbs) {
    if (logProbs.length == 0) {
      return Double.NEGATIVE_INFINITY;
    }
    float[] sorted = logProbs.clone();
    Arrays.sort(sorted);
    int k = Math.max(1, (int) Math.ceil(sorted.length * 0.1));
    double sum = 0;
    for (int i = 0; i < k; i++) {
      sum += sorted[i];
    }
    return sum / k;
  }

  /** Plain majority of the voters (greedy and vote modes; also ReflectRM's last step). */
  static Outcome majority(Collection<Judgment> voters) {
    int a = 0;
    int b = 0;
    for (Judgment j : voters) {
      if (j.verdict() == CandidateVerdict.A) {
        a++;
      } else if (j.verdict() == CandidateVerdict.B) {
        b++;
      }
    }
    Preference preferred = a > b ? Preference.A : b > a ? Preference.B : Preference.TIE;
    double p = (1.0 + a) / (2.0 + a + b);
    CandidateVerdict side =
        preferred == Preference.A
            ? CandidateVerdict.A
            : preferred == Preference.B ? CandidateVerdict.B : null;
    int chosen =
        voters.stream()
            .filter(Judgment::votes)
            .filter(j -> side == null || j.verdict() == side)
            .max(Comparator.comparingDouble(Judgment::confidence))
            .map(Judgment::index)
            .orElse(-1);
    return new Outcome(preferred, p, chosen);
  }

  /**
   * ReflectRM's vote: the judgments that beat their anchor in reflection vote; if that group is
   * empty or tied, the anchors join it and it votes again.
   *
   * @param winners judgments that won their reflection against the anchor
   * @param anchors the anchor(s) they were compared with
   */
  static Outcome reflect(List<Judgment> winners, List<Judgment> anchors) {
    Outcome first = majority(winners);
    if (!winners.isEmpty() && first.preferred() != Preference.TIE) {
      return first;
    }
    List<Judgment> widened = new ArrayList<>(winners);
    widened.addAll(anchors);
    return majority(widened);
  }

  /** The most confident voting judgment of each order: the anchors of order-balanced reflection. */
  static List<Judgment> anchors(List<Judgment> all) {
    List<Judgment> anchors = new ArrayList<>();
    for (Order order : Order.values()) {
      mostConfident(all, order).ifPresent(anchors::add);
    }
    return anchors;
  }

  private static Optional<Judgment> mostConfident(List<Judgment> all, Order order) {
    return all.stream()
        .filter(Judgment::votes)
        .filter(j -> j.order() == order)
        .max(Comparator.comparingDouble(Judgment::confidence).thenComparing(j -> -j.index()));
  }

  /**
   * 1 - |share of A votes among order-AB judgments - share among order-BA judgments|: 1 when the
   * order the responses were shown in made no difference. Null when an order has no votes.
   */
  static Double positionConsistency(List<Judgment> all) {
    Double ab = shareA(all, Order.AB);
    Double ba = shareA(all, Order.BA);
    return ab == null || ba == null ? null : 1.0 - Math.abs(ab - ba);
  }

  private static Double shareA(List<Judgment> all, Order order) {
    long votes = all.stream().filter(j -> j.order() == order && j.votes()).count();
    long a =
        all.stream().filter(j -> j.order() == order && j.verdict() == CandidateVerdict.A).count();
    return votes == 0 ? null : (double) a / votes;
  }
}
