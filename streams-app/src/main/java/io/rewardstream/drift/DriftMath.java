package io.rewardstream.drift;

/**
 * The drift statistics, as pure functions of histograms and moments.
 *
 * <p>Everything here works on <em>binned</em> data because that is what a window keeps: a fixed-bin
 * histogram of p_a_better and the count, mean and variance of the reward margin. No Kafka, no
 * state; the unit tests check each function against hand-computed values.
 */
public final class DriftMath {

  /**
   * Count given to a bin that is empty in one histogram but not in the other, before dividing by
   * that histogram's total: half an observation, so an empty bin weighs {@code 0.5 / n}.
   *
   * <p>PSI has a {@code ln(p/q)} term, so an empty bin needs some floor. A fixed floor such as
   * {@code 1e-4} is the usual choice for large samples, but with a window of a few dozen results
   * one bin that happens to be empty then adds ~0.3 to the PSI by itself and raises a false alert.
   * Half a count (the Jeffreys / continuity correction) scales with the sample size: it is small
   * for big windows and never dominates a small one. A bin empty in <em>both</em> histograms is
   * skipped (it carries no evidence of a shift).
   */
  public static final double EMPTY_BIN_COUNT = 0.5;

  private DriftMath() {}

  /**
   * Population stability index of {@code actual} against {@code expected}: {@code Σ (a_i − e_i) ·
   * ln(a_i / e_i)} over the bins, with {@code a_i}, {@code e_i} the bins' shares of their histogram
   * and {@link #EMPTY_BIN_COUNT} standing in for an empty bin's count.
   *
   * <p>Rule of thumb (credit scoring, where PSI comes from): below 0.1 no shift, 0.1 to 0.2 a
   * moderate shift, above 0.2 a significant one. It is symmetric in its arguments and not
   * sample-size aware: under no shift its expected value is about {@code (bins − 1) · (1/n + 1/m)}
   * (it is close to a chi-square divided by the sample size), which is why small windows need a
   * higher count before PSI is trusted (see {@link DriftConfig#psiMinCount()}).
   *
   * @param expected reference histogram (counts)
   * @param actual window histogram (counts), same number of bins
   * @return the PSI, ≥ 0
   * @throws IllegalArgumentException when the bin counts differ, a count is negative or a histogram
   *     is empty
   */
  public static double psi(long[] expected, long[] actual) {
    long n = total(expected, "expected");
    long m = total(actual, "actual");
    requireSameBins(expected, actual);
    double psi = 0.0;
    for (int i = 0; i < expected.length; i++) {
      if (expected[i] == 0 && actual[i] == 0) {
        continue;
      }
      double e = Math.max(expected[i], EMPTY_BIN_COUNT) / n;
      double a = Math.max(actual[i], EMPTY_BIN_COUNT) / m;
      psi += (a - e) * Math.log(a / e);
    }
    return psi;
  }

  /**
   * Two-sample Kolmogorov–Smirnov statistic on binned data: the largest absolute difference of the
   * two empirical CDFs, evaluated at the bin edges.
   *
   * <p>Binning can only hide differences inside a bin, so this is a lower bound of the statistic on
   * the raw values, and a test with it is conservative (fewer false alerts, never more).
   *
   * @return D in [0, 1]
   */
  public static double ksStatistic(long[] reference, long[] window) {
    long n = total(reference, "reference");
    long m = total(window, "window");
    requireSameBins(reference, window);
    long cumRef = 0;
    long cumWin = 0;
    double d = 0.0;
    for (int i = 0; i < reference.length; i++) {
      cumRef += reference[i];
      cumWin += window[i];
      d = Math.max(d, Math.abs((double) cumRef / n - (double) cumWin / m));
    }
    return d;
  }

  /**
   * Large-sample critical value of the two-sample KS statistic: reject "same distribution" at level
   * {@code alpha} when {@code D > c(alpha) · sqrt((n + m) / (n · m))}, with {@code c(alpha) =
   * sqrt(−ln(alpha / 2) / 2)} (c = 1.628 at alpha 0.01, 1.358 at 0.05).
   *
   * @param alpha significance level in (0, 1)
   * @param n reference sample size, ≥ 1
   * @param m window sample size, ≥ 1
   */
  public static double ksCriticalValue(double alpha, long n, long m) {
    if (!(alpha > 0.0 && alpha < 1.0)) {
      throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
    }
    requirePositive(n, "n");
    requirePositive(m, "m");
    double c = Math.sqrt(-Math.log(alpha / 2.0) / 2.0);
    return c * Math.sqrt((double) (n + m) / ((double) n * m));
  }

  /**
   * Approximate p-value of a two-sample KS statistic (Numerical Recipes' {@code probks} with
   * Stephens' small-sample correction): {@code Q(λ) = 2 Σ_{j≥1} (−1)^{j−1} exp(−2 j² λ²)}, {@code λ
   * = (√Ne + 0.12 + 0.11/√Ne) · D}, {@code Ne = n·m/(n+m)}. Good for {@code Ne ≥ 4}; on binned data
   * it overstates the p-value (the test is conservative).
   *
   * @return the probability of a statistic at least {@code d} when nothing shifted, in [0, 1]
   */
  public static double ksPValue(double d, long n, long m) {
    requirePositive(n, "n");
    requirePositive(m, "m");
    double sqrtNe = Math.sqrt((double) n * m / (n + m));
    double lambda = (sqrtNe + 0.12 + 0.11 / sqrtNe) * d;
    if (lambda < 0.2) {
      return 1.0; // the series converges slowly here and its sum is 1 to 1e-10
    }
    double sum = 0.0;
    double sign = 1.0;
    for (int j = 1; j <= 100; j++) {
      double term = sign * Math.exp(-2.0 * j * j * lambda * lambda);
      sum += term;
      if (Math.abs(term) < 1e-12) {
        break;
      }
      sign = -sign;
    }
    return Math.min(1.0, Math.max(0.0, 2.0 * sum));
  }

  /**
   * Shift of a window's mean from the reference mean, in standard errors of the difference (Welch):
   * {@code |mean_w − mean_ref| / sqrt(var_w / n_w + var_ref / n_ref)}, with sample variances.
   *
   * @return the shift, ≥ 0; 0 when the means are equal; +∞ when they differ but both variances are
   *     0 (e.g. a judge that returns one constant reward per window)
   */
  public static double meanShift(
      double windowMean, double windowVar, long windowN, double refMean, double refVar, long refN) {
    requirePositive(windowN, "windowN");
    requirePositive(refN, "refN");
    double diff = Math.abs(windowMean - refMean);
    if (diff == 0.0) {
      return 0.0;
    }
    double se = Math.sqrt(windowVar / windowN + refVar / refN);
    return se == 0.0 ? Double.POSITIVE_INFINITY : diff / se;
  }

  /**
   * Bin of a value in {@code bins} equal-width bins over [0, 1]: bin i holds [i/bins, (i+1)/bins),
   * the last bin also holds 1. Values outside [0, 1] go to the nearest end bin.
   */
  public static int binOf(double value, int bins) {
    if (value <= 0.0) {
      return 0;
    }
    return (int) Math.min(bins - 1, Math.floor(value * bins));
  }

  /** Sum of a histogram's counts. */
  public static long total(long[] histogram) {
    long sum = 0;
    for (long c : histogram) {
      sum += c;
    }
    return sum;
  }

  private static long total(long[] histogram, String name) {
    if (histogram == null || histogram.length == 0) {
      throw new IllegalArgumentException(name + " histogram has no bins");
    }
    long sum = 0;
    for (long c : histogram) {
      if (c < 0) {
        throw new IllegalArgumentException(name + " histogram has a negative count " + c);
      }
      sum += c;
    }
    if (sum == 0) {
      throw new IllegalArgumentException(name + " histogram is empty (all counts 0)");
    }
    return sum;
  }

  private static void requireSameBins(long[] a, long[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "histograms have different bin counts: " + a.length + " and " + b.length);
    }
  }

  private static void requirePositive(long n, String name) {
    if (n < 1) {
      throw new IllegalArgumentException(name + " must be ≥ 1, got " + n);
    }
  }
}
