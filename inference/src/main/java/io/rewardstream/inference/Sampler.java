package io.rewardstream.inference;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Picks the next token from one row of logits. Pure functions over the logits array. */
final class Sampler {

  private Sampler() {}

  /**
   * Next token of one row.
   *
   * @param logits [rows, vocab], row-major
   * @param offset start of the row in {@code logits}
   * @param vocab vocabulary size
   * @param rng the row's own random stream (advanced only when sampling)
   */
  static int next(
      float[] logits, int offset, int vocab, SamplingParams params, SplittableRandom rng) {
    int[] allowed = params.allowedTokens();
    if (allowed != null) {
      return among(logits, offset, vocab, allowed, params, rng);
    }
    if (params.isGreedy()) {
      return argmax(logits, offset, vocab);
    }
    double max = logits[offset + argmax(logits, offset, vocab)];
    double[] weights = new double[vocab];
    double total = 0;
    for (int i = 0; i < vocab; i++) {
      weights[i] = Math.exp((logits[offset + i] - max) / params.temperature());
      total += weights[i];
    }
    if (params.topP() < 1) {
      total = keepNucleus(weights, total, params.topP());
    }
    double u = rng.nextDouble() * total;
    double acc = 0;
    int last = -1;
    for (int i = 0; i < vocab; i++) {
      if (weights[i] > 0) {
        acc += weights[i];
        last = i;
        if (u < acc) {
          return i;
        }
      }
    }
    return last; // rounding: u landed on the total
  }

  /** The next token among {@code allowed} only: the most likely, or sampled among them. */
  private static int among(
      float[] logits,
      int offset,
      int vocab,
      int[] allowed,
      SamplingParams params,
      SplittableRandom rng) {
    int best = -1;
    for (int id : allowed) {
      if (id < 0 || id >= vocab) {
        throw new IllegalArgumentException("allowed token " + id + " is outside the vocabulary");
      }
      if (best < 0 || logits[offset + id] > logits[offset + best]) {
        best = id;
      }
    }
    if (params.isGreedy()) {
      return best;
    }
    double[] weights = new double[allowed.length];
    double total = 0;
    for (int i = 0; i < allowed.length; i++) {
      weights[i] =
          Math.exp((logits[offset + allowed[i]] - logits[offset + best]) / params.temperature());
      total += weights[i];
    }
    double u = rng.nextDouble() * total;
    double acc = 0;
    for (int i = 0; i < allowed.length; i++) {
      acc += weights[i];
      if (u < acc) {
        return allowed[i];
      }
    }
    return allowed[allowed.length - 1];
  }

  /** Zeroes every weight outside the nucleus; returns the remaining total. */
  private static double keepNucleus(double[] weights, double total, double topP) {
    double[] sorted = weights.clone();
    Arrays.sort(sorted);
    double acc = 0;
    double cutoff = 0;
    for (int i = sorted.length - 1; i >= 0; i--) {
      acc += sorted[i];
      if (acc >= topP * total) {
        cutoff = sorted[i];
        break;
      }
    }
    double kept = 0;
    for (int i = 0; i < weights.length; i++) {
      if (weights[i] < cutoff) {
        weights[i] = 0;
      }
      kept += weights[i];
    }
    return kept;
  }

  static int argmax(float[] logits, int offset, int vocab) {
    int best = 0;
    for (int i = 1; i < vocab; i++) {
      if (logits[offset + i] > logits[offset + best]) {
        best = i;
      }
    }
    return best;
  }

  /** log softmax(logits)[token] of one row, at temperature 1. */
  static float logProb(float[] logits, int offset, int vocab, int token) {
    double max = logits[offset + argmax(logits, offset, vocab)];
    double sum = 0;
    for (int i = 0; i < vocab; i++) {
      sum += Math.exp(logits[offset + i] - max);
    }
    return (float) (logits[offset + token] - max - Math.log(sum));
  }
}
