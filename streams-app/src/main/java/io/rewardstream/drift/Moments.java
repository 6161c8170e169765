package io.rewardstream.drift;

/**
 * Count, mean and sum of squared deviations of a sample: Welford's update and Chan's merge.
 *
 * <p>Chosen over raw sums and sums of squares because {@code Σx² − (Σx)²/n} cancels
 * catastrophically when the variance is small next to the mean (a judge that is sure of itself),
 * and because two of these merge exactly, which is how reference windows are pooled.
 *
 * @param n number of values
 * @param mean their mean (0 when n = 0)
 * @param m2 sum of squared deviations from the mean
 */
public record Moments(long n, double mean, double m2) {

  /** No values. */
  public static final Moments EMPTY = new Moments(0, 0.0, 0.0);

  /** The moments of a summary given as count, mean and sample standard deviation. */
  public static Moments of(long n, double mean, double sampleStd) {
    if (n == 0) {
      return EMPTY;
    }
    double m2 = n > 1 && Double.isFinite(sampleStd) ? sampleStd * sampleStd * (n - 1) : 0.0;
    return new Moments(n, mean, m2);
  }

  /** These moments with one more value (Welford). */
  public Moments plus(double x) {
    long n1 = n + 1;
    double delta = x - mean;
    double mean1 = mean + delta / n1;
    return new Moments(n1, mean1, m2 + delta * (x - mean1));
  }

  /** The moments of both samples together (Chan et al.). */
  public Moments merge(Moments other) {
    if (other.n == 0) {
      return this;
    }
    if (n == 0) {
      return other;
    }
    long total = n + other.n;
    double delta = other.mean - mean;
    double mergedMean = mean + delta * other.n / total;
    double mergedM2 = m2 + other.m2 + delta * delta * ((double) n * other.n / total);
    return new Moments(total, mergedMean, mergedM2);
  }

  /** Mean, or NaN when there are no values. */
  public double meanOrNaN() {
    return n == 0 ? Double.NaN : mean;
  }

  /** Sample variance (n − 1 denominator), or NaN with fewer than two values. */
  public double variance() {
    return n < 2 ? Double.NaN : Math.max(0.0, m2 / (n - 1));
  }

  /** Sample standard deviation, or NaN with fewer than two values. */
  public double std() {
    return Math.sqrt(variance());
  }
}
