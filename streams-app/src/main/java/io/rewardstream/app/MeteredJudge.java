package io.rewardstream.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.rewardstream.judge.Judge;
import io.rewardstream.judge.JudgeInfo;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.Verdict;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The app's judge with counters: batches, pairs and time spent scoring, for the shutdown summary
 * and for /metrics ({@code rewardstream_judge_batch_seconds}, {@code
 * rewardstream_judge_pairs_total}, tagged with the judge's id, version and mode), and a DEBUG line
 * when a batch starts and ends (the crash-recovery test waits for "scoring a batch" to kill the app
 * mid-batch). Owns the judge it wraps and closes it.
 */
final class MeteredJudge implements Judge {

  private static final Logger LOG = LoggerFactory.getLogger(MeteredJudge.class);

  private final Judge delegate;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong pairs = new AtomicLong();
  private final AtomicLong nanos = new AtomicLong();
  private final Timer batchTimer;
  private final Counter pairCounter;

  MeteredJudge(Judge delegate, MeterRegistry registry) {
    this.delegate = delegate;
    JudgeInfo info = delegate.info();
    Tags tags =
        Tags.of("judge_id", info.id(), "judge_version", info.version(), "mode", info.mode());
    this.batchTimer =
        Timer.builder("rewardstream.judge.batch")
            .description("wall time of one judge call (a batch)")
            .tags(tags)
            .register(registry);
    this.pairCounter =
        Counter.builder("rewardstream.judge.pairs")
            .description("pairs judged (including the start-up warm-up)")
            .tags(tags)
            .register(registry);
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
    batchTimer.record(elapsed, TimeUnit.NANOSECONDS);
    pairCounter.increment(batch.size());
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
