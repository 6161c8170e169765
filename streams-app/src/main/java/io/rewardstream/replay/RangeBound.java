package io.rewardstream.replay;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One end of a replay range, as given on the command line ({@code --from} or {@code --to}).
 *
 * <ul>
 *   <li>{@code beginning} / {@code end}: the log start, or the end as of the replay's start;
 *   <li>an ISO-8601 instant ({@code 2026-01-01T00:00:00Z}): the first offset whose record timestamp
 *       is at or after it (Kafka's {@code offsetsForTimes});
 *   <li>a plain number ({@code 1200}): that offset in every selected partition;
 *   <li>{@code partition:offset} pairs ({@code 0:1200,1:1180}): an offset per partition; a
 *       partition not named falls back to the log start ({@code --from}) or end ({@code --to}).
 * </ul>
 *
 * <p>{@code --from} is inclusive and {@code --to} exclusive, like Kafka's own offsets: a range
 * {@code --from T1 --to T2} followed by {@code --from T2 --to T3} covers every record once.
 */
public sealed interface RangeBound {

  /** The log start offset (the oldest record still kept). */
  record Beginning() implements RangeBound {}

  /** The end offset (last stable offset) when the replay starts. */
  record End() implements RangeBound {}

  /** The first offset with a record timestamp at or after {@code time}; the end if none. */
  record AtTime(Instant time) implements RangeBound {}

  /** The same offset in every partition. */
  record AtOffset(long offset) implements RangeBound {
    public AtOffset {
      if (offset < 0) {
        throw new IllegalArgumentException("offset must be >= 0, got " + offset);
      }
    }
  }

  /** An offset per partition (partition -> offset). */
  record PerPartition(Map<Integer, Long> offsets) implements RangeBound {
    public PerPartition {
      offsets = Collections.unmodifiableMap(new TreeMap<>(offsets));
    }
  }

  /**
   * Parses a bound.
   *
   * @param option the option name, for the error message ({@code --from})
   * @throws IllegalArgumentException naming the option and the text when it is none of the forms
   */
  static RangeBound parse(String option, String text) {
    String t = text == null ? "" : text.trim();
    try {
      return switch (t.toLowerCase(Locale.ROOT)) {
        case "beginning", "earliest" -> new Beginning();
        case "end", "latest" -> new End();
        default -> parseValue(t);
      };
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new IllegalArgumentException(
          option
              + " '"
              + text
              + "': expected beginning, end, an ISO-8601 instant (2026-01-01T00:00:00Z), an"
              + " offset (1200) or partition:offset pairs (0:1200,1:1180)",
          e);
    }
  }

  private static RangeBound parseValue(String t) {
    if (t.matches("\\d+")) {
      return new AtOffset(Long.parseLong(t));
    }
    if (t.matches("\\d+:\\d+(,\\d+:\\d+)*")) {
      Map<Integer, Long> offsets = new TreeMap<>();
      for (String part : t.split(",")) {
        String[] pair = part.split(":");
        if (offsets.put(Integer.parseInt(pair[0]), Long.parseLong(pair[1])) != null) {
          throw new IllegalArgumentException("partition " + pair[0] + " named twice");
        }
      }
      return new PerPartition(offsets);
    }
    return new AtTime(Instant.parse(t));
  }
}
