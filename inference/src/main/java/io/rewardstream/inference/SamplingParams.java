package io.rewardstream.inference;

import java.util.List;

/**
 * How to pick each next token, and when to stop.
 *
 * @param temperature 0 = greedy (argmax); otherwise logits are divided by it before sampling
 * @param topP nucleus sampling: sample among the most likely tokens whose probabilities add up to
 *     at least topP; 1 = the whole vocabulary
 * @param maxNewTokens hard bound on generated tokens
 * @param stopStrings generation of a row ends once its text ends with one of these (kept in the
 *     output)
 * @param ignoreEos keep generating past EOS until {@code maxNewTokens} (for benchmarks that must
 *     run a fixed number of steps, like vLLM's {@code ignore_eos}); false everywhere else: EOS
 *     stops a row
 * @param allowedTokens when not null, every token is picked among these ids only (a logit mask:
 *     constrained decoding, e.g. one of two labels); null = the whole vocabulary
 */
public record SamplingParams(
    double temperature,
    double topP,
    int maxNewTokens,
    List<String> stopStrings,
    boolean ignoreEos,
    int[] allowedTokens) {

  public SamplingParams {
    if (!(temperature >= 0)) {
      throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
    }
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("max new tokens must be >= 1, got " + maxNewTokens);
    }
    stopStrings = List.copyOf(stopStrings);
    if (allowedTokens != null) {
      if (allowedTokens.length == 0) {
        throw new IllegalArgumentException("allowed tokens must not be empty (null = all)");
      }
      allowedTokens = allowedTokens.clone();
    }
  }

  /** Any token may come next. */
  public SamplingParams(
      double temperature,
      double topP,
      int maxNewTokens,
      List<String> stopStrings,
      boolean ignoreEos) {
    this(temperature, topP, maxNewTokens, stopStrings, ignoreEos, null);
  }

  /** EOS stops a row (every use but fixed-length benchmarks). */
  public SamplingParams(
      double temperature, double topP, int maxNewTokens, List<String> stopStrings) {
    this(temperature, topP, maxNewTokens, stopStrings, false);
  }

  /** Greedy decoding. */
  public static SamplingParams greedy(int maxNewTokens, List<String> stopStrings) {
    return new SamplingParams(0, 1, maxNewTokens, stopStrings);
  }

  /** Greedy decoding restricted to {@code allowed} ids: the most likely of them. */
  public static SamplingParams greedyAmong(int maxNewTokens, int... allowed) {
    return new SamplingParams(0, 1, maxNewTokens, List.of(), false, allowed);
  }

  public boolean isGreedy() {
    return temperature == 0;
  }
}
