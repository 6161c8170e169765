package io.rewardstream.drift;

import io.rewardstream.avro.RewardWindowStats;
import java.util.Arrays;

/**
 * A key's reference distribution: its first disjoint windows pooled, as kept in the detector's
 * store.
 *
 * <p>Pooling merges the histograms (bin by bin) and the margin and p_a_better moments (exactly,
 * from each window's count, mean and sample standard deviation), so the pooled reference is the
 * same as one big window over the same results. Only windows that do not overlap an already pooled
 * one are added: with hopping windows a result sits in several windows, and pooling them all would
 * count it several times and make the tests overconfident.
 *
 * @param windows number of windows pooled
 * @param startMs start of the first pooled window (epoch ms)
 * @param endMs end of the last pooled window (epoch ms, exclusive)
 * @param margin moments of reward_a − reward_b over the scored results
 * @param pABetter moments of p_a_better over the scored results
 * @param histogram pooled p_a_better histogram
 */
record Reference(
    int windows, long startMs, long endMs, Moments margin, Moments pABetter, long[] histogram) {

  /** The reference formed by one window. */
  static Reference of(RewardWindowStats window) {
    return new Reference(
        1,
        window.getWindowStart().toEpochMilli(),
        window.getWindowEnd().toEpochMilli(),
        marginOf(window),
        pABetterOf(window),
        histogramOf(window));
  }

  /** This reference with one more (later, disjoint) window pooled in. */
  Reference plus(RewardWindowStats window) {
    long[] pooled = histogram.clone();
    long[] add = histogramOf(window);
    for (int i = 0; i < pooled.length; i++) {
      pooled[i] += add[i];
    }
    return new Reference(
        windows + 1,
        startMs,
        window.getWindowEnd().toEpochMilli(),
        margin.merge(marginOf(window)),
        pABetter.merge(pABetterOf(window)),
        pooled);
  }

  /** Number of scored results pooled. */
  long count() {
    return DriftMath.total(histogram);
  }

  /** Scored results of a window: its histogram total. */
  static long scoredCount(RewardWindowStats window) {
    return DriftMath.total(histogramOf(window));
  }

  static long[] histogramOf(RewardWindowStats window) {
    return window.getPABetterHistogram().stream().mapToLong(Long::longValue).toArray();
  }

  static Moments marginOf(RewardWindowStats window) {
    return Moments.of(
        scoredCount(window), window.getMeanRewardMargin(), window.getStdRewardMargin());
  }

  static Moments pABetterOf(RewardWindowStats window) {
    return Moments.of(scoredCount(window), window.getMeanPABetter(), window.getStdPABetter());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Reference r
        && windows == r.windows
        && startMs == r.startMs
        && endMs == r.endMs
        && margin.equals(r.margin)
        && pABetter.equals(r.pABetter)
        && Arrays.equals(histogram, r.histogram);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(histogram) + Long.hashCode(startMs) + windows;
  }

  @Override
  public String toString() {
    return "Reference[windows=" + windows + ", " + startMs + ".." + endMs + ", n=" + count() + "]";
  }
}
