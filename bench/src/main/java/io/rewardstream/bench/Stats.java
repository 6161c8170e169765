package io.rewardstream.bench;

import java.util.Arrays;
import java.util.List;

/** Order statistics of repeated measurements: every figure we report is a median of repeats. */
public final class Stats {

  private Stats() {}

  /** Median (mean of the two middle values for an even count). */
  public static double median(List<Double> values) {
    return percentile(values, 50);
  }

  /**
   * Percentile by linear interpolation between closest ranks.
   *
   * @param p in [0, 100]
   */
  public static double percentile(List<Double> values, double p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    double rank = p / 100.0 * (sorted.length - 1);
    int lo = (int) Math.floor(rank);
    int hi = (int) Math.ceil(rank);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
  }

  /** Milliseconds since {@code startNanos}. */
  public static double msSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e6;
  }

  /** Rounds for printing and JSON: three significant decimals are plenty for timings. */
  public static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }
}
