package io.rewardstream.eval;

import io.rewardstream.judge.group.GroupRanker;
import io.rewardstream.judge.group.GroupScores;
import io.rewardstream.judge.group.GroupStrategy;
import java.util.List;
import java.util.Locale;

/**
 * Ranking quality of one strategy on groups with known right and wrong responses.
 *
 * <ul>
 *   <li><b>top-1</b>: share of groups whose best-ranked response is right (a tie for first counts
 *       the share of right ones among the tied);
 *   <li><b>pairwise</b>: share of (right, wrong) pairs within a group where the right one gets the
 *       higher reward (an exact tie counts half), averaged over groups. The truth here has two
 *       levels, right and wrong, so this is the ordering measure; Kendall's tau against a two-level
 *       truth is a rescaling of it;
 *   <li>comparisons and generations per group, and groups/s over the whole run.
 * </ul>
 *
 * @param strategy the strategy
 * @param groups groups ranked
 * @param top1 top-1 accuracy, 0..1
 * @param pairwise pairwise ordering accuracy, 0..1
 * @param comparisonsPerGroup mean comparisons per group
 * @param generationsPerGroup mean judge generations per group
 * @param groupsPerSecond groups ranked per second of wall time
 */
public record GroupEvalReport(
    GroupStrategy strategy,
    int groups,
    double top1,
    double pairwise,
    double comparisonsPerGroup,
    double generationsPerGroup,
    double groupsPerSecond) {

  /** Scores the ranked groups against their truth. */
  public static GroupEvalReport of(
      GroupStrategy strategy,
      List<EvalGroup> truth,
      List<GroupRanker.Ranked> ranked,
      double seconds) {
    double top1 = 0;
    double pairwise = 0;
    double comparisons = 0;
    double generations = 0;
    for (int g = 0; g < truth.size(); g++) {
      List<Boolean> correct = truth.get(g).correct();
      List<GroupScores.ResponseScore> scores = ranked.get(g).scores().responses();
      top1 += topOne(correct, scores);
      pairwise += pairwise(correct, scores);
      comparisons += ranked.get(g).judged().size();
      generations += ranked.get(g).judged().stream().mapToInt(c -> c.generations()).sum();
    }
    int n = truth.size();
    return new GroupEvalReport(
        strategy, n, top1 / n, pairwise / n, comparisons / n, generations / n, n / seconds);
  }

  private static double topOne(List<Boolean> correct, List<GroupScores.ResponseScore> scores) {
    int tied = 0;
    int right = 0;
    for (int k = 0; k < scores.size(); k++) {
      if (scores.get(k).rank() == 1) {
        tied++;
        right += correct.get(k) ? 1 : 0;
      }
    }
    return (double) right / tied;
  }

  private static double pairwise(List<Boolean> correct, List<GroupScores.ResponseScore> scores) {
    double sum = 0;
    int pairs = 0;
    for (int r = 0; r < scores.size(); r++) {
      for (int w = 0; w < scores.size(); w++) {
        if (correct.get(r) && !correct.get(w)) {
          double diff = scores.get(r).reward() - scores.get(w).reward();
          sum += diff > 1e-9 ? 1 : diff < -1e-9 ? 0 : 0.5;
          pairs++;
        }
      }
    }
    return pairs == 0 ? 1 : sum / pairs;
  }

  /** The table header. */
  public static String header() {
    return String.format(
        Locale.ROOT,
        "%-12s %7s %7s %9s %12s %12s %9s%n",
        "strategy",
        "groups",
        "top-1",
        "pairwise",
        "comparisons",
        "generations",
        "groups/s");
  }

  /** One table row. */
  public String row() {
    return String.format(
        Locale.ROOT,
        "%-12s %7d %6.1f%% %8.1f%% %12.1f %12.1f %9.2f%n",
        strategy.id(),
        groups,
        100 * top1,
        100 * pairwise,
        comparisonsPerGroup,
        generationsPerGroup,
        groupsPerSecond);
  }
}
