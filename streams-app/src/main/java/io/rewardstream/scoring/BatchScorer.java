package io.rewardstream.scoring;

import io.rewardstream.judge.Judge;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores a batch with one judge call and never throws: if the call fails as a whole (or answers the
 * wrong pairs), each pair is scored on its own, so one poison pair yields one failed verdict and
 * the others are still scored. No Kafka here; the streaming topology and replay turn verdicts into
 * records with {@link RewardResults}.
 */
public final class BatchScorer {

  /** The seed of a failed verdict that the judge never produced: unknown. */
  public static final long UNKNOWN_SEED = -1L;

  private static final Logger LOG = LoggerFactory.getLogger(BatchScorer.class);

  private final Judge judge;

  public BatchScorer(Judge judge) {
    this.judge = judge;
  }

  /** One verdict per input, in input order; failures are verdicts with a failure reason. */
  public List<Verdict> score(List<PairInput> batch) {
    if (batch.isEmpty()) {
      return List.of();
    }
    try {
      List<Verdict> verdicts = judge.judge(batch);
      String mismatch = mismatch(batch, verdicts);
      if (mismatch == null) {
        return verdicts;
      }
      LOG.warn(
          "judge answered a batch of {} wrongly ({}); scoring pair by pair",
          batch.size(),
          mismatch);
    } catch (RuntimeException e) {
      LOG.warn("judge failed on a batch of {}; scoring pair by pair", batch.size(), e);
    }
    List<Verdict> verdicts = new ArrayList<>(batch.size());
    batch.forEach(pair -> verdicts.add(scoreAlone(pair)));
    return verdicts;
  }

  private Verdict scoreAlone(PairInput pair) {
    try {
      List<Verdict> one = judge.judge(List.of(pair));
      String mismatch = mismatch(List.of(pair), one);
      return mismatch == null
          ? one.get(0)
          : Verdict.failed(pair.rolloutId(), UNKNOWN_SEED, "judge error: " + mismatch);
    } catch (RuntimeException e) {
      LOG.warn("judge failed on rollout {}", pair.rolloutId(), e);
      return Verdict.failed(pair.rolloutId(), UNKNOWN_SEED, "judge error: " + describe(e));
    }
  }

  /** Null when the verdicts answer the batch one to one, in order; otherwise what is wrong. */
  private static String mismatch(List<PairInput> batch, List<Verdict> verdicts) {
    if (verdicts == null || verdicts.size() != batch.size()) {
      return "expected "
          + batch.size()
          + " verdicts, got "
          + (verdicts == null ? "null" : verdicts.size());
    }
    for (int i = 0; i < batch.size(); i++) {
      Verdict verdict = verdicts.get(i);
      if (verdict == null || !batch.get(i).rolloutId().equals(verdict.rolloutId())) {
        return "verdict " + i + " is not for rollout " + batch.get(i).rolloutId();
      }
    }
    return null;
  }

  /** The exception's simple class name and message, for failure reasons. */
  public static String describe(Throwable e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
