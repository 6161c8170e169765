package io.rewardstream.topology;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How much scoring one Kafka Streams transaction may hold: at most one batch between two commits,
 * whatever the number of partitions (tasks) the stream thread runs.
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
 * it scores a batch; the first one in a transaction gets it, the others leave their full buffers
 * for the next iteration (the punctuator looks again). The budget is given back by {@link
 * #transactionEnded()}, which the app calls from its producer wrapper when the stream thread's
 * producer commits or aborts.
 *
 * <p>One instance per stream thread; RewardStream runs exactly one stream thread per instance, so
 * the app builds one per topology. Called from the stream thread only, but the counters are read by
 * the metrics endpoint, hence the atomics.
 */
public final class CommitBudget {

  private final boolean bounded;
  private volatile boolean spent;
  private final AtomicLong granted = new AtomicLong();
  private final AtomicLong deferred = new AtomicLong();
  private final AtomicLong commits = new AtomicLong();
  private final AtomicLong aborts = new AtomicLong();

  private CommitBudget(boolean bounded) {
    this.bounded = bounded;
  }

  /** One batch per transaction: what the app runs with (it observes commits). */
  public static CommitBudget oneBatchPerCommit() {
    return new CommitBudget(true);
  }

  /**
   * No limit: for drivers that do not report their commits (e.g. {@code TopologyTestDriver}, which
   * commits after every record). Never for a real {@code KafkaStreams} under exactly-once.
   */
  public static CommitBudget unbounded() {
    return new CommitBudget(false);
  }

  /**
   * Asks to score one batch in the current transaction.
   *
   * @return true if the caller may score now (and the budget is then spent); false if a batch was
   *     already scored since the last commit, in which case the caller keeps its pairs buffered
   */
  boolean tryAcquire() {
    if (bounded && spent) {
      deferred.incrementAndGet();
      return false;
    }
    spent = true;
    granted.incrementAndGet();
    return true;
  }

  /** Whether a batch could start now (no side effect, unlike {@link #tryAcquire()}). */
  boolean available() {
    return !bounded || !spent;
  }

  /** The stream thread's transaction was committed: the next batch may start. */
  public void transactionCommitted() {
    commits.incrementAndGet();
    spent = false;
  }

  /**
   * The stream thread's transaction was aborted, or ended in a way not known to be a commit (a
   * commit that threw, a new producer): the next batch may start.
   */
  public void transactionEnded() {
    aborts.incrementAndGet();
    spent = false;
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
