package io.rewardstream.app;

import io.rewardstream.judge.Judge;
import io.rewardstream.judge.JudgeInfo;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.Verdict;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The app's judge with counters: batches, pairs and time spent scoring, for the shutdown summary,
 * and a DEBUG line when a batch starts and ends (the crash-recovery test waits for "scoring a
 * batch" to kill the app mid-batch). Owns the judge it wraps and closes it.
 */
final class MeteredJudge implements Judge {

  private static final Logger LOG = LoggerFactory.getLogger(MeteredJudge.class);

  private final Judge delegate;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong pairs = new AtomicLong();
  private final AtomicLong nanos = new AtomicLong();

  MeteredJudge(Judge delegate) {
    this.delegate = delegate;
  }

  @Override
  public List<Verdict> judge(List<PairInput> batch) {
    LOG.debug("scoring a batch of {} pairs, first {}", batch.size(), batch.get(0).rolloutId());
    long start = System.nanoTime();
    List<Verdict> verdicts = delegate.judge(batch);
    long elapsed = System.nanoTime() - start;
    batches.incrementAndGet();
    pairs.addAndGet(batch.size());
    nanos.addAndGet(elapsed);
    LOG.debug("scored a batch of {} pairs in {} ms", batch.size(), elapsed / 1_000_000);
    return verdicts;
  }

  @Override
  public int promptTokens(PairInput pair) {
    return delegate.promptTokens(pair);
  }

  @Override
  public JudgeInfo info() {
    return delegate.info();
  }

  /** One line: what was scored since start-up, and how fast. */
  String summary() {
    long n = pairs.get();
    double seconds = nanos.get() / 1e9;
    return String.format(
        java.util.Locale.ROOT,
        "%d pairs in %d batches, %.1f s judging (%.2f pairs/s while judging)",
        n,
        batches.get(),
        seconds,
        seconds > 0 ? n / seconds : 0.0);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
