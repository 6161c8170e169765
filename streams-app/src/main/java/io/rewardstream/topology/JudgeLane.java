package io.rewardstream.topology;

import io.rewardstream.judge.ForwardingJudge;
import io.rewardstream.judge.Judge;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.Verdict;
import io.rewardstream.scoring.BatchScorer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The judge's own thread, for {@code scoring.overlap=true}: the pair buffers hand a committed batch
 * to it and go on with Kafka's work (the previous batch's commit, polling, buffering) while it is
 * scored; the stream thread forwards the verdicts when they are ready, in whatever transaction is
 * open then. One batch at a time ({@link #idle()}), so the judge is used by one call at a time.
 *
 * <p>Exactly-once holds as without it: a batch is handed over only once its attempts are committed
 * (poison detection), and its results, the deletion of its pairs from the buffer and of their
 * attempt counts are forwarded in one transaction on the stream thread. A crash while the lane
 * scores leaves the pairs buffered; they are scored again after the restore. Group scoring stays on
 * the stream thread and waits for the lane's call ({@link #scorer()} serialises the judge).
 *
 * <p>One per app (per stream thread); {@link #close()} waits for the call in progress, so the judge
 * can be closed after it.
 */
public final class JudgeLane implements AutoCloseable {

  private final BatchScorer scorer;
  private final ExecutorService worker;
  private volatile Future<List<Verdict>> current;
  private volatile boolean claimed = true;
  private volatile boolean accepting = true;

  private JudgeLane(Judge judge) {
    this.scorer = new BatchScorer(new OneCallAtATime(judge));
    this.worker =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "rewardstream-judge-lane");
              t.setDaemon(true);
              return t;
            });
  }

  /** A lane over this judge (which the caller still owns and closes after the lane). */
  public static JudgeLane over(Judge judge) {
    return new JudgeLane(Objects.requireNonNull(judge, "judge"));
  }

  /** The scorer the lane uses; its judge calls wait for one another (for group scoring). */
  BatchScorer scorer() {
    return scorer;
  }

  /** Whether no batch is being scored. */
  boolean idle() {
    Future<List<Verdict>> f = current;
    return f == null || f.isDone();
  }

  /** Whether the next batch may be handed over: idle, and not draining for a shutdown. */
  boolean accepts() {
    return accepting && idle();
  }

  /**
   * The task that handed over the batch took its verdicts (forwarded them, or dropped them as it
   * closed): a drain need not wait for it any more.
   */
  void claimed(Future<List<Verdict>> verdicts) {
    if (verdicts == current) {
      claimed = true;
    }
  }

  /**
   * For a clean shutdown: takes no new batch, and waits until the batch being scored is done and
   * its verdicts are forwarded by the stream thread (which then commits them as Streams closes).
   *
   * @return whether that happened within the timeout
   */
  public boolean drain(Duration timeout) {
    accepting = false;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!(idle() && claimed)) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  /**
   * Starts scoring a batch on the lane's thread.
   *
   * @throws IllegalStateException when a batch is still being scored
   */
  Future<List<Verdict>> submit(List<PairInput> batch) {
    if (!accepts()) {
      throw new IllegalStateException("the judge lane is scoring another batch, or draining");
    }
    claimed = false;
    Future<List<Verdict>> f = worker.submit(() -> scorer.score(batch));
    current = f;
    return f;
  }

  /** Waits for the call in progress (up to a minute), then stops the lane's thread. */
  @Override
  public void close() {
    worker.shutdown();
    try {
      if (!worker.awaitTermination(1, TimeUnit.MINUTES)) {
        worker.shutdownNow();
      }
    } catch (InterruptedException e) {
      worker.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** The judge with its scoring calls serialised (token counting stays concurrent: it is pure). */
  private static final class OneCallAtATime extends ForwardingJudge {

    OneCallAtATime(Judge judge) {
      super(judge);
    }

    @Override
    public synchronized List<Verdict> judge(List<PairInput> batch) {
      return super.judge(batch);
    }

    @Override
    public void close() {
      // the caller owns the judge
    }
  }
}
