package io.rewardstream.inference;

/**
 * One generated continuation.
 *
 * @param tokenIds generated ids, including the EOS or stop-string tokens that ended it
 * @param logProbs log-probability of each generated token under the model (temperature 1, no
 *     top-p), the measure of the model's own confidence
 * @param text decoded text of the generated ids, special tokens skipped
 * @param finish why generation ended
 */
public record Generation(int[] tokenIds, float[] logProbs, String text, Finish finish) {

  /** Why a row stopped. */
  public enum Finish {
    EOS,
    STOP_STRING,
    MAX_NEW_TOKENS,
    CONTEXT_FULL
  }

  /** Sum of the token log-probs: the log-likelihood of the continuation. */
  public double logLikelihood() {
    double sum = 0;
    for (float lp : logProbs) {
      sum += lp;
    }
    return sum;
  }
}
