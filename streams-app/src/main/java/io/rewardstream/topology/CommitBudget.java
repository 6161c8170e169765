package io.rewardstream.topology;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How much scoring one Kafka Streams transaction may hold: one batch budget of time between two
 * commits (one batch, or up to four fast ones: {@link #withinTime}), whatever the number of
 * partitions (tasks) the stream thread runs.
 *
 * <p>Why: under exactly-once every task of a stream thread writes into the same producer
 * transaction, and Streams commits it once per loop iteration. Without a limit, every partition
 * whose buffer is full scores its batch in the same iteration, so with 12 partitions one
 * transaction holds 12 batches; the transaction timeout is sized for one batch (and its
 * pair-by-pair retry), the broker aborts the transaction, the producer is fenced, the task migrates
 * and every batch in flight is scored again: a loop that never ends with a slow enough judge or a
 * big enough backlog.
 *
 * <p>So the batch buffers of all tasks share one budget. A buffer asks {@link #tryAcquire()} before
 * it scores a batch; the first one in a transaction gets it, and more only while the reported times
 * ({@link #finished}) leave room; the others leave their full buffers for the next iteration (the
 * punctuator looks again). The budget is given back by {@link #transactionCommitted()} and {@link
 * #transactionEnded()}, which the app calls from its producer wrapper when the stream thread's
 * producer commits or aborts. Why several: each transaction costs a commit (~100 ms on the
 * benchmark machine), as much as a whole batch of a fast judge.
 *
 * <p>One instance per stream thread; RewardStream runs exactly one stream thread per instance, so
 * the app builds one per topology. Called from the stream thread only, but the counters are read by
 * the metrics endpoint, hence the atomics.
 */
public final class CommitBudget {

  /** The most batches one transaction may hold, however fast the judge. */
  static final int MAX_BATCHES_PER_TRANSACTION = 4;

  private final boolean bounded;
  private final long timeBudgetNanos;
  private volatile boolean spent;
  private int grantedInTransaction;
  private boolean awaitingReport;
  private long usedNanos;
  private long lastBatchNanos;
  private final AtomicLong granted = new AtomicLong();
  private final AtomicLong deferred = new AtomicLong();
  private final AtomicLong commits = new AtomicLong();
  private final AtomicLong aborts = new AtomicLong();

  private CommitBudget(boolean bounded, long timeBudgetNanos) {
    this.bounded = bounded;
    this.timeBudgetNanos = timeBudgetNanos;
  }

  /** One batch per transaction (the app observes commits). */
  public static CommitBudget oneBatchPerCommit() {
    return new CommitBudget(true, 0);
  }

  /**
   * More than one batch per transaction while the judge is fast: after a batch whose time was
   * reported ({@link #finished}), another may join the same transaction if the time used so far
   * plus the last batch's time stays within {@code batchBudgetMs} (the time the transaction and
   * poll timeouts are sized for one batch, safety factor included), up to {@value
   * #MAX_BATCHES_PER_TRANSACTION} batches. A judge at its measured speed fits about the safety
   * factor's worth of batches; a slow one gets one, as with {@link #oneBatchPerCommit()}. What the
   * app runs with: each batch then no longer pays a commit of its own (issue 23).
   */
  public static CommitBudget withinTime(long batchBudgetMs) {
    return new CommitBudget(true, batchBudgetMs * 1_000_000L);
  }

  /**
   * No limit: for drivers that do not report their commits (e.g. {@code TopologyTestDriver}, which
   * commits after every record). Never for a real {@code KafkaStreams} under exactly-once.
   */
  public static CommitBudget unbounded() {
    return new CommitBudget(false, 0);
  }

  /**
   * Asks to score one batch in the current transaction.
   *
   * @return true if the caller may score now (and the budget is then spent); false if a batch was
   *     already scored since the last commit, in which case the caller keeps its pairs buffered
   */
  boolean tryAcquire() {
    if (!available()) {
      deferred.incrementAndGet();
      return false;
    }
    spent = true;
    grantedInTransaction++;
    awaitingReport = true;
    granted.incrementAndGet();
    return true;
  }

  /** Whether a batch could start now (no side effect, unlike {@link #tryAcquire()}). */
  boolean available() {
    if (!bounded || !spent) {
      return true;
    }
    // another batch in this transaction: only after the last one reported its time, and only
    // while that time once more still fits the budget
    return timeBudgetNanos > 0
        && !awaitingReport
        && grantedInTransaction < MAX_BATCHES_PER_TRANSACTION
        && usedNanos + lastBatchNanos <= timeBudgetNanos;
  }

  /** The batch granted last took {@code nanos} to score (its judge call and results). */
  void finished(long nanos) {
    awaitingReport = false;
    usedNanos += nanos;
    lastBatchNanos = nanos;
  }

  /**
   * How many batches to arm at once: as many as one transaction is expected to take at the judge's
   * last measured speed (1 before any batch was measured, or with one batch per transaction).
   */
  int batchesPerTransaction() {
    if (timeBudgetNanos <= 0 || lastBatchNanos <= 0) {
      return 1;
    }
    long fit = timeBudgetNanos / lastBatchNanos;
    return (int) Math.max(1, Math.min(MAX_BATCHES_PER_TRANSACTION, fit));
  }

  /** The stream thread's transaction was committed: the next batch may start. */
  public void transactionCommitted() {
    commits.incrementAndGet();
    newTransaction();
  }

  private void newTransaction() {
    spent = false;
    grantedInTransaction = 0;
    awaitingReport = false;
    usedNanos = 0;
  }

  /**
   * The stream thread's transaction was aborted, or ended in a way not known to be a commit (a
   * commit that threw, a new producer): the next batch may start.
   */
  public void transactionEnded() {
    aborts.incrementAndGet();
    newTransaction();
  }

  /** Where the transactions stand now, to ask later whether what was written since is durable. */
  Mark mark() {
    return new Mark(commits.get(), aborts.get());
  }

  /**
   * Whether what the stream thread wrote after {@code mark} is committed: a commit came since, and
   * no abort. Always true when unbounded (its drivers commit after every call and never abort).
   */
  boolean committedSince(Mark mark) {
    return !bounded || (commits.get() > mark.commits() && aborts.get() == mark.aborts());
  }

  /** Whether a transaction was aborted since {@code mark} (what was written since is lost). */
  boolean abortedSince(Mark mark) {
    return bounded && aborts.get() != mark.aborts();
  }

  /** Commit and abort counts at one moment. */
  record Mark(long commits, long aborts) {}

  /** Batches scored so far. */
  public long batchesGranted() {
    return granted.get();
  }

  /** Times a buffer had a batch ready but waited for the next transaction. */
  public long batchesDeferred() {
    return deferred.get();
  }
}
