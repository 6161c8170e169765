package io.rewardstream.judge.group;

import io.rewardstream.judge.Verdict;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-response result of a judged group: group-relative rewards from a Bradley–Terry fit of the
 * comparisons, plus the counts that explain them.
 *
 * @param responses one entry per response, in input order
 * @param failedComparisons comparisons the judge could not score (left out of the fit)
 */
public record GroupScores(List<ResponseScore> responses, int failedComparisons) {

  /**
   * One response's standing in its group.
   *
   * @param reward Bradley–Terry log-strength centred to mean 0 in the group: the reward to train on
   * @param score expected win rate against the rest of the group under the fit, in [0, 1]
   * @param rank 1 = best; responses with equal rewards share the better rank
   * @param wins comparisons it won
   * @param losses comparisons it lost
   * @param ties comparisons judged a tie
   * @param failed its comparisons the judge could not score
   */
  public record ResponseScore(
      double reward, double score, int rank, int wins, int losses, int ties, int failed) {}

  /** Rewards closer than this are equal for ranking (the fit's own precision is ~1e-12). */
  static final double RANK_EPSILON = 1e-9;

  /**
   * Scores a group from its judged comparisons.
   *
   * @param n number of responses
   * @param judged every comparison made, failed ones included
   */
  public static GroupScores of(int n, List<Comparison> judged) {
    double[] reward = BradleyTerry.fit(n, outcomes(judged), BradleyTerry.DEFAULT_PRIOR);
    int[] wins = new int[n];
    int[] losses = new int[n];
    int[] ties = new int[n];
    int[] failed = new int[n];
    int failedTotal = 0;
    for (Comparison c : judged) {
      int i = c.match().i();
      int j = c.match().j();
      if (!c.ok()) {
        failed[i]++;
        failed[j]++;
        failedTotal++;
      } else if (c.preferred() == Verdict.Preference.A) {
        wins[i]++;
        losses[j]++;
      } else if (c.preferred() == Verdict.Preference.B) {
        wins[j]++;
        losses[i]++;
      } else {
        ties[i]++;
        ties[j]++;
      }
    }
    List<ResponseScore> scores = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      scores.add(
          new ResponseScore(
              reward[k],
              winRate(k, reward),
              rank(k, reward),
              wins[k],
              losses[k],
              ties[k],
              failed[k]));
    }
    return new GroupScores(List.copyOf(scores), failedTotal);
  }

  /** The fit's inputs: each judged comparison as a soft outcome for its A response. */
  static List<BradleyTerry.Outcome> outcomes(List<Comparison> judged) {
    return judged.stream()
        .filter(Comparison::ok)
        .map(c -> new BradleyTerry.Outcome(c.match().i(), c.match().j(), c.pABetter()))
        .toList();
  }

  private static double winRate(int k, double[] reward) {
    double sum = 0;
    for (int other = 0; other < reward.length; other++) {
      if (other != k) {
        sum += BradleyTerry.sigmoid(reward[k] - reward[other]);
      }
    }
    return sum / (reward.length - 1);
  }

  private static int rank(int k, double[] reward) {
    int better = 0;
    for (double other : reward) {
      if (other > reward[k] + RANK_EPSILON) {
        better++;
      }
    }
    return better + 1;
  }
}
