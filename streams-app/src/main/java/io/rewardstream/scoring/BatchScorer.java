package io.rewardstream.scoring;

import io.rewardstream.judge.Judge;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores a batch with one judge call and never throws: if the call fails as a whole (or answers the
 * wrong pairs), each pair is scored on its own, so one poison pair yields one failed verdict and
 * the others are still scored. No Kafka here; the streaming topology and replay turn verdicts into
 * records with {@link RewardResults}.
 *
 * <p>Transient failures (a device out of memory on a big batch, a driver hiccup) get a second
 * chance before a pair is given up: after a failed batch the scorer waits {@link #BACKOFF} and
 * scores pair by pair (the smallest batch, the least memory), and a pair that fails alone is tried
 * once more after another backoff. Only a pair that fails that retry too gets a FAILED verdict. The
 * whole path stays within what the transaction allows: a batch plus its pair-by-pair retry (see
 * {@code AppConfig.transactionWorkMs}); the two backoffs and the one extra single-pair call are
 * small next to it.
 */
public final class BatchScorer {

  /** The wait before retrying after a failure. */
  public static final Duration BACKOFF = Duration.ofMillis(200);

  /** The seed of a failed verdict that the judge never produced: unknown. */
  public static final long UNKNOWN_SEED = -1L;

  private static final Logger LOG = LoggerFactory.getLogger(BatchScorer.class);

  private final Judge judge;
  private final Consumer<Duration> sleeper;

  public BatchScorer(Judge judge) {
    this(judge, BatchScorer::sleep);
  }

  /** With another way to wait (tests pass one that records instead of sleeping). */
  BatchScorer(Judge judge, Consumer<Duration> sleeper) {
    this.judge = judge;
    this.sleeper = sleeper;
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
    } catch (JudgeClosingException e) {
      throw e; // shutting down: never a FAILED reward for that
    } catch (RuntimeException e) {
      LOG.warn("judge failed on a batch of {}; scoring pair by pair", batch.size(), e);
    }
    sleeper.accept(BACKOFF);
    List<Verdict> verdicts = new ArrayList<>(batch.size());
    for (PairInput pair : batch) {
      Verdict verdict = scoreAlone(pair);
      if (!verdict.ok() && verdict.seed() == UNKNOWN_SEED) {
        LOG.warn("rollout {} failed alone; one more try after {}", pair.rolloutId(), BACKOFF);
        sleeper.accept(BACKOFF);
        verdict = scoreAlone(pair);
      }
      verdicts.add(verdict);
    }
    return verdicts;
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Verdict scoreAlone(PairInput pair) {
    try {
      List<Verdict> one = judge.judge(List.of(pair));
      String mismatch = mismatch(List.of(pair), one);
      return mismatch == null
          ? one.get(0)
          : Verdict.failed(pair.rolloutId(), UNKNOWN_SEED, "judge error: " + mismatch);
    } catch (JudgeClosingException e) {
      throw e;
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
