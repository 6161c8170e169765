package io.rewardstream.topology;

import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Scoring attempts of buffered inputs (pairs or groups), and the one batch of them that is armed:
 * its attempts raised and a commit asked for, to be scored only once that commit is known.
 *
 * <p>Why: a record that kills the process while it is scored (a native crash in the runtime, an
 * out-of-memory, the orchestrator's SIGKILL) leaves nothing behind under exactly-once, since the
 * scoring transaction is aborted, so it would be scored again by every instance that takes the
 * partition, forever. An attempt committed <i>before</i> scoring survives the crash; the result
 * deletes it in the scoring transaction. So a count that a restarted instance finds is an attempt
 * that never finished: the buffers score such a suspect alone (so one poison input does not spend
 * its batch-mates' attempts), and dead-letter it POISON once it has used {@link #max()} attempts.
 *
 * <p>One per processor (task); the stream thread's {@link CommitBudget} tells it when the
 * transaction holding the raised counts has committed, or was aborted.
 */
final class Attempts {

  private final ProcessorContext<?, ?> context;
  private final KeyValueStore<String, Integer> store;
  private final CommitBudget budget;
  private final int max;
  private List<String> armed;
  private CommitBudget.Mark mark;

  Attempts(
      ProcessorContext<?, ?> context,
      KeyValueStore<String, Integer> store,
      CommitBudget budget,
      int max) {
    this.context = context;
    this.store = store;
    this.budget = budget;
    this.max = max;
  }

  /** Attempts that never finished, for this key (0 if none). */
  int of(String key) {
    Integer tried = store.get(key);
    return tried == null ? 0 : tried;
  }

  /** {@code poison.max.attempts}. */
  int max() {
    return max;
  }

  /** Whether it has used its attempts: dead-letter it POISON instead of scoring it. */
  boolean exhausted(String key) {
    return of(key) >= max;
  }

  /** Whether a batch is armed (committed or not). */
  boolean armed() {
    return armed != null;
  }

  /** Raises the keys' attempts, arms them as the next batch and asks for a commit. */
  void arm(List<String> keys) {
    for (String key : keys) {
      store.put(key, of(key) + 1);
    }
    armed = List.copyOf(keys);
    mark = budget.mark();
    context.commit();
  }

  /** The armed keys (committed or not), or an empty list. */
  List<String> armedKeys() {
    return armed == null ? List.of() : armed;
  }

  /**
   * Adds keys to the armed batch before it is scored: raises their attempts, and the batch waits
   * for the commit that makes them durable (the one already due, when called before it).
   */
  void extend(List<String> more) {
    List<String> keys = new java.util.ArrayList<>(armed);
    for (String key : more) {
      store.put(key, of(key) + 1);
      keys.add(key);
    }
    armed = List.copyOf(keys);
    mark = budget.mark();
    context.commit();
  }

  /**
   * The armed keys once their raised attempts are committed; null while none is armed or its commit
   * is still to come. After an abort that did not re-initialise the task the local counts are still
   * raised but their changelog records are gone: they are written again (not raised twice), for
   * those keys still buffered, and the batch waits for the next commit.
   */
  List<String> committedBatch(Predicate<String> stillBuffered) {
    if (armed == null) {
      return null;
    }
    if (budget.abortedSince(mark)) {
      armed = armed.stream().filter(stillBuffered).toList();
      armed.forEach(key -> store.put(key, of(key)));
      mark = budget.mark();
      context.commit();
      return null;
    }
    return budget.committedSince(mark) ? armed : null;
  }

  /** The armed batch is being scored (or was dropped): nothing is armed any more. */
  void disarm() {
    armed = null;
  }

  /** The input was answered (scored, or dead-lettered): its count goes with it. */
  void clear(String key) {
    store.delete(key);
  }

  /** The dead-letter reason of an input ({@code what}: "pair", "group") that used its attempts. */
  String poisonReason(String what, String key) {
    return "scoring this "
        + what
        + " never finished in "
        + of(key)
        + " attempts (the process crashed, was killed or was fenced each time;"
        + " poison.max.attempts="
        + max
        + "): look for a native crash or an out-of-memory in the logs of the instances that"
        + " scored it";
  }
}
