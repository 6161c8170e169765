package io.rewardstream.app;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when a stream thread dies of an exception that nothing else handled.
 *
 * <p>Bad records and judge failures never get here (they are dead-lettered, see DESIGN.md); what
 * does is either the cluster misbehaving or a bug. So:
 *
 * <ul>
 *   <li><b>transient</b> (a Kafka {@link RetriableException} anywhere in the cause chain, e.g. a
 *       timeout while a broker restarts): {@code REPLACE_THREAD}. The new thread resumes from the
 *       last committed offsets and the changelogged buffer, so nothing is lost. At most {@link
 *       #MAX_REPLACEMENTS} times per {@link #WINDOW}; beyond that the "transient" fault is not, and
 *       the client shuts down rather than spin.
 *   <li><b>everything else</b> (a bug, an {@link Error} such as running out of memory): {@code
 *       SHUTDOWN_CLIENT}. The same input would fail the replacement thread the same way; stopping
 *       makes the failure visible (the process exits non-zero and the orchestrator restarts or
 *       alerts), and the other instances take over the partitions. Not {@code
 *       SHUTDOWN_APPLICATION}: one worker's broken GPU must not stop every worker.
 * </ul>
 *
 * <p>Replacing a thread keeps one stream thread, so the one judge is still used by one thread at a
 * time: the failed thread has left its processing loop before its replacement starts.
 */
final class ThreadFailurePolicy implements StreamsUncaughtExceptionHandler {

  static final int MAX_REPLACEMENTS = 3;
  static final Duration WINDOW = Duration.ofMinutes(10);

  private static final Logger LOG = LoggerFactory.getLogger(ThreadFailurePolicy.class);

  private final Clock clock;
  private final Deque<Long> replacements = new ArrayDeque<>();

  ThreadFailurePolicy(Clock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
    if (!isTransient(exception)) {
      LOG.error("stream thread failed; shutting this instance down", exception);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    long now = clock.millis();
    while (!replacements.isEmpty() && now - replacements.peekFirst() > WINDOW.toMillis()) {
      replacements.removeFirst();
    }
    if (replacements.size() >= MAX_REPLACEMENTS) {
      LOG.error(
          "stream thread failed transiently for the {}th time within {}; shutting down",
          MAX_REPLACEMENTS + 1,
          WINDOW,
          exception);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
    replacements.addLast(now);
    LOG.warn("stream thread failed transiently; replacing it", exception);
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }

  /** A retriable Kafka error anywhere in the chain, and no {@link Error}. */
  static boolean isTransient(Throwable exception) {
    boolean retriable = false;
    for (Throwable t = exception; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof Error) {
        return false;
      }
      retriable |= t instanceof RetriableException;
    }
    return retriable;
  }
}
