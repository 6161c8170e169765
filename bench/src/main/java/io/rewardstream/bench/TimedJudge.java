package io.rewardstream.bench;

import io.rewardstream.judge.ForwardingJudge;
import io.rewardstream.judge.Judge;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.Verdict;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real judge with a stopwatch around {@link #judge}: how much of a pipeline run was the judge
 * scoring, and so how much was everything else (Kafka, transactions, waiting for a batch).
 */
final class TimedJudge extends ForwardingJudge {

  /** {start, end} System.nanoTime() of every call. */
  private final List<long[]> calls = new CopyOnWriteArrayList<>();

  TimedJudge(Judge judge) {
    super(judge);
  }

  /**
   * Wall time spent in calls to {@link #judge} that started at or after {@code startNanos}, ms
   * (leaves out the app's start-up cost probe, which runs before a pipeline run's clock starts).
   */
  double judgeMsSince(long startNanos) {
    return calls.stream().filter(c -> c[0] >= startNanos).mapToLong(c -> c[1] - c[0]).sum() / 1e6;
  }

  /** "start+duration" in ms from {@code startNanos} of each call since then, for the log. */
  String timeline(long startNanos) {
    StringBuilder line = new StringBuilder();
    for (long[] c : calls) {
      if (c[0] >= startNanos) {
        line.append(
            String.format(
                Locale.ROOT, " %.0f+%.0f", (c[0] - startNanos) / 1e6, (c[1] - c[0]) / 1e6));
      }
    }
    return line.toString().strip();
  }

  @Override
  public List<Verdict> judge(List<PairInput> batch) {
    long start = System.nanoTime();
    try {
      return super.judge(batch);
    } finally {
      calls.add(new long[] {start, System.nanoTime()});
    }
  }
}
