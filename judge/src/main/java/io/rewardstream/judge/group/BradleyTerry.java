package io.rewardstream.judge.group;

import java.util.List;

/**
 * A Bradley–Terry fit of soft pairwise outcomes: P(i beats j) = σ(s_i − s_j), with the
 * log-strengths {@code s} found by Newton's method on the log-likelihood plus a Gaussian prior.
 *
 * <p>Each comparison contributes {@code y log σ(s_i − s_j) + (1 − y) log σ(s_j − s_i)}, where
 * {@code y} is the judge's {@code p_a_better} for i shown as A: a confident verdict counts almost
 * as a full win, a tie as half a win each. The prior {@code −(λ/2) Σ s²} keeps the strengths finite
 * when one response wins everything (hard outcomes have no finite maximum) and makes the problem
 * strictly concave, so Newton converges from zero in a few steps. A response with no usable
 * comparison stays at the prior's mode, i.e. the group mean.
 *
 * <p>Scale: a difference of 1 between two strengths is odds of e : 1 (a 73 % chance of winning).
 */
public final class BradleyTerry {

  /** The prior weight the group scorer uses. */
  public static final double DEFAULT_PRIOR = 0.1;

  private static final int MAX_ITERATIONS = 100;
  private static final double TOLERANCE = 1e-12;

  /**
   * One soft outcome.
   *
   * @param i the first response
   * @param j the second response
   * @param pIBetter probability-like score that i is better than j, in [0, 1]
   */
  public record Outcome(int i, int j, double pIBetter) {
    public Outcome {
      if (!(pIBetter >= 0.0 && pIBetter <= 1.0)) {
        throw new IllegalArgumentException("pIBetter must be in [0, 1], got " + pIBetter);
      }
    }
  }

  private BradleyTerry() {}

  /**
   * Fits the log-strengths.
   *
   * @param n number of responses
   * @param outcomes the outcomes (indices in [0, n))
   * @param prior the prior weight λ, > 0
   * @return log-strengths centred to mean 0
   */
  public static double[] fit(int n, List<Outcome> outcomes, double prior) {
    if (!(prior > 0)) {
      throw new IllegalArgumentException("prior must be > 0, got " + prior);
    }
    double[] s = new double[n];
    for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      double[] gradient = new double[n];
      double[][] hessian = new double[n][n]; // the negated Hessian: positive definite
      for (int k = 0; k < n; k++) {
        gradient[k] = -prior * s[k];
        hessian[k][k] = prior;
      }
      for (Outcome o : outcomes) {
        double p = sigmoid(s[o.i()] - s[o.j()]);
        double g = o.pIBetter() - p;
        double w = p * (1 - p);
        gradient[o.i()] += g;
        gradient[o.j()] -= g;
        hessian[o.i()][o.i()] += w;
        hessian[o.j()][o.j()] += w;
        hessian[o.i()][o.j()] -= w;
        hessian[o.j()][o.i()] -= w;
      }
      double[] step = solve(hessian, gradient);
      double largest = 0;
      for (int k = 0; k < n; k++) {
        s[k] += step[k];
        largest = Math.max(largest, Math.abs(step[k]));
      }
      if (largest < TOLERANCE) {
        break;
      }
    }
    double mean = 0;
    for (double v : s) {
      mean += v / n;
    }
    for (int k = 0; k < n; k++) {
      s[k] -= mean;
    }
    return s;
  }

  /** The logistic function. */
  public static double sigmoid(double x) {
    return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  }

  /**
   * Solves a x = b for a symmetric positive definite a (Gaussian elimination, partial pivoting).
   */
  private static double[] solve(double[][] a, double[] b) {
    int n = b.length;
    double[][] m = new double[n][];
    double[] x = b.clone();
    for (int r = 0; r < n; r++) {
      m[r] = a[r].clone();
    }
    for (int c = 0; c < n; c++) {
      int pivot = c;
      for (int r = c + 1; r < n; r++) {
        if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) {
          pivot = r;
        }
      }
      double[] row = m[c];
      m[c] = m[pivot];
      m[pivot] = row;
      double t = x[c];
      x[c] = x[pivot];
      x[pivot] = t;
      for (int r = c + 1; r < n; r++) {
        double f = m[r][c] / m[c][c];
        for (int k = c; k < n; k++) {
          m[r][k] -= f * m[c][k];
        }
        x[r] -= f * x[c];
      }
    }
    for (int r = n - 1; r >= 0; r--) {
      double sum = x[r];
      for (int k = r + 1; k < n; k++) {
        sum -= m[r][k] * x[k];
      }
      x[r] = sum / m[r][r];
    }
    return x;
  }
}
