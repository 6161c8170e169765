package io.rewardstream.replay;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The resolved range of a replay: per partition, the offsets {@code [from, to)} to read. Resolved
 * once at the start against the log, so the replay is bounded even while the actor keeps producing.
 *
 * @param topic the input topic
 * @param spans partition -> offsets to read (empty spans included, so the plan shows them)
 */
public record ReplayRange(String topic, Map<Integer, Span> spans) {

  /** Offsets {@code [from, to)} of one partition. */
  public record Span(long from, long to) {
    public Span {
      if (from < 0 || to < from) {
        throw new IllegalArgumentException("bad span [" + from + ", " + to + ")");
      }
    }

    /** Offsets in the span (an upper bound of its records: transaction markers take offsets). */
    public long size() {
      return to - from;
    }
  }

  /** What resolving needs to know about the log; the Kafka edge answers from a consumer. */
  public interface OffsetLookup {
    /** The log start offset of the partition. */
    long beginning(int partition);

    /** The end offset (for read_committed: the last stable offset) of the partition. */
    long end(int partition);

    /** The first offset with timestamp >= {@code epochMs}, empty if there is none. */
    OptionalLong offsetForTime(int partition, long epochMs);
  }

  public ReplayRange {
    spans = Collections.unmodifiableMap(new LinkedHashMap<>(spans));
  }

  /**
   * Resolves the bounds for each partition, clamped to the log: a {@code from} before the log start
   * begins at the log start (older records are gone), a {@code to} past the end stops at the end,
   * and a {@code to} before {@code from} gives an empty span.
   *
   * @throws IllegalArgumentException when a per-partition bound names a partition not selected
   */
  public static ReplayRange resolve(
      String topic, List<Integer> partitions, RangeBound from, RangeBound to, OffsetLookup log) {
    checkNamedPartitions("--from", from, partitions);
    checkNamedPartitions("--to", to, partitions);
    Map<Integer, Span> spans = new LinkedHashMap<>();
    for (int p : partitions) {
      long start = log.beginning(p);
      long end = log.end(p);
      long f = clamp(offset(from, p, log, start, end), start, end);
      long t = clamp(offset(to, p, log, end, end), start, end);
      spans.put(p, new Span(f, Math.max(f, t)));
    }
    return new ReplayRange(topic, spans);
  }

  /** Offsets in the whole range; the progress bar's total. */
  public long size() {
    return spans.values().stream().mapToLong(Span::size).sum();
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder(topic);
    spans.forEach(
        (p, s) ->
            text.append(' ')
                .append(p)
                .append(":[")
                .append(s.from())
                .append(',')
                .append(s.to())
                .append(')'));
    return text.toString();
  }

  private static long offset(RangeBound bound, int p, OffsetLookup log, long absent, long end) {
    if (bound instanceof RangeBound.Beginning) {
      return log.beginning(p);
    } else if (bound instanceof RangeBound.End) {
      return end;
    } else if (bound instanceof RangeBound.AtOffset o) {
      return o.offset();
    } else if (bound instanceof RangeBound.AtTime t) {
      return log.offsetForTime(p, t.time().toEpochMilli()).orElse(end);
    } else if (bound instanceof RangeBound.PerPartition pp) {
      return pp.offsets().getOrDefault(p, absent);
    }
    throw new IllegalArgumentException("unknown bound " + bound);
  }

  private static long clamp(long offset, long start, long end) {
    return Math.max(start, Math.min(end, offset));
  }

  private static void checkNamedPartitions(String option, RangeBound bound, List<Integer> chosen) {
    if (bound instanceof RangeBound.PerPartition pp) {
      for (int p : pp.offsets().keySet()) {
        if (!chosen.contains(p)) {
          throw new IllegalArgumentException(
              option
                  + " names partition "
                  + p
                  + ", which is not replayed (partitions "
                  + chosen
                  + ")");
        }
      }
    }
  }
}
