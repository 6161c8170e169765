package io.rewardstream.app;

import io.rewardstream.judge.Judge;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.Verdict;
import java.util.List;

/**
 * Measures what one pair costs on this judge, mode and device, with one warm-up batch, before the
 * app starts consuming; {@link AppConfig#withPairCostMs} then derives the timeouts from it.
 *
 * <p>Why measure: the configured {@code judge.pair.cost.ms} is a guess that is off by an order of
 * magnitude between the tiny bundled judge on a laptop and a 4B judge on a GPU, and a batch that
 * outlives {@code transaction.timeout.ms} is aborted and scored again forever. The measurement errs
 * on the slow side, which is the safe side for a timeout: the first batch also pays for ONNX
 * Runtime's warm-up, and a batch of two amortises less than a full batch does. Pairs that generate
 * far longer judgments than these are what {@code judge.cost.safety.factor} is for.
 */
public final class PairCostProbe {

  /**
   * Two short pairs in the bundled judge's domain: a real prompt, one right and one wrong answer.
   */
  static final List<PairInput> WARM_UP =
      List.of(
          new PairInput(
              "warm-up-1",
              "Tom has 3 boxes with 4 pens in each. How many pens does Tom have?",
              "Tom has 12 pens.",
              "Tom has 7 pens."),
          new PairInput(
              "warm-up-2",
              "Ana has 9 cups and gives away 4. How many cups does Ana have now?",
              "The answer is 13.",
              "5 cups."));

  private PairCostProbe() {}

  /**
   * Scores {@link #WARM_UP} once.
   *
   * @return wall time per pair in ms, at least 1
   * @throws IllegalStateException if the judge cannot score the warm-up pairs: it is broken, and
   *     starting would only dead-letter every pair
   */
  /** Pairs the warm-up sends through the judge: they show in the judge metrics too. */
  public static final int WARM_UP_PAIRS = WARM_UP.size();

  static long measureMs(Judge judge) {
    long start = System.nanoTime();
    List<Verdict> verdicts = judge.judge(WARM_UP);
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    if (verdicts.size() != WARM_UP.size()) {
      throw new IllegalStateException(
          "judge warm-up: expected " + WARM_UP.size() + " verdicts, got " + verdicts.size());
    }
    for (Verdict verdict : verdicts) {
      if (!verdict.ok()) {
        throw new IllegalStateException(
            "judge warm-up failed on " + verdict.rolloutId() + ": " + verdict.failureReason());
      }
    }
    return Math.max(1, (long) Math.ceil(elapsedMs / (double) WARM_UP.size()));
  }
}
