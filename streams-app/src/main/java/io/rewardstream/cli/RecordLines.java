package io.rewardstream.cli;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DriftAlert;
import io.rewardstream.avro.GroupRewardResult;
import io.rewardstream.avro.ResponseReward;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RewardWindowStats;
import io.rewardstream.avro.RolloutGroup;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.schemas.WireFormat;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * One readable line per RewardStream record, whatever its type: the record type is recognised from
 * the single-object header (each type has its own schema fingerprint) or, with a schema registry,
 * from the registered schema of a Confluent-framed record, so {@code tail} works on renamed topics
 * too, and shows what a stray record on the wrong topic is.
 */
public final class RecordLines {

  /** Longest text excerpt in a line. */
  static final int EXCERPT = 60;

  private RecordLines() {}

  /** Decodes single-object bytes with the first serde that accepts them; null if none does. */
  public static Object decode(String topic, byte[] value) {
    return decode(WireFormat.singleObject(), topic, value);
  }

  /**
   * Decodes with the first serde of the wire format that accepts the bytes (with a registry: both
   * formats, the record type from the registry's schema); null if none does.
   */
  public static Object decode(WireFormat wire, String topic, byte[] value) {
    if (value == null) {
      return null;
    }
    List<Deserializer<?>> decoders =
        List.of(
            wire.rewardResult().deserializer(),
            wire.deadLetter().deserializer(),
            wire.rolloutPair().deserializer(),
            wire.rewardWindowStats().deserializer(),
            wire.driftAlert().deserializer(),
            wire.groupRewardResult().deserializer(),
            wire.rolloutGroup().deserializer());
    for (Deserializer<?> decoder : decoders) {
      try {
        return decoder.deserialize(topic, value);
      } catch (SerializationException e) {
        // not this type: try the next one
      }
    }
    return null;
  }

  /** The line for a raw single-object record value. */
  static String format(String topic, byte[] value) {
    return format(WireFormat.singleObject(), topic, value);
  }

  /** The line for a raw record value in the given wire format. */
  static String format(WireFormat wire, String topic, byte[] value) {
    if (value == null) {
      return "(tombstone: null value)";
    }
    Object record = decode(wire, topic, value);
    return record == null ? undecodable(value) : format(record);
  }

  /** The line for a decoded record. */
  static String format(Object record) {
    if (record instanceof RewardResult r) {
      return reward(r);
    } else if (record instanceof DeadLetter d) {
      return deadLetter(d);
    } else if (record instanceof RolloutPair p) {
      return rollout(p);
    } else if (record instanceof RewardWindowStats s) {
      return stats(s);
    } else if (record instanceof DriftAlert a) {
      return alert(a);
    } else if (record instanceof GroupRewardResult g) {
      return groupReward(g);
    } else if (record instanceof RolloutGroup g) {
      return String.format(
          Locale.ROOT,
          "group   %s %d responses policy=%s prompt=\"%s\"",
          g.getGroupId(),
          g.getResponses().size(),
          g.getPolicyVersion(),
          excerpt(g.getPrompt(), EXCERPT));
    }
    return String.valueOf(record);
  }

  /** A group result: the head line, then one line per response, best first. */
  static String groupReward(GroupRewardResult g) {
    StringBuilder text =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "group-reward %s %s strategy=%s comparisons=%d gen=%d latency=%dms %s/%s %s",
                g.getGroupId(),
                g.getStatus(),
                g.getStrategy(),
                g.getComparisonCount(),
                g.getGenerations(),
                g.getLatencyMs(),
                g.getJudgeId(),
                g.getJudgeVersion(),
                g.getMode()));
    if (g.getFailureReason() != null) {
      text.append(" failure=\"").append(excerpt(g.getFailureReason(), 2 * EXCERPT)).append('"');
    }
    g.getResponses().stream()
        .sorted(java.util.Comparator.comparingInt(ResponseReward::getRank))
        .forEach(
            r ->
                text.append(
                    String.format(
                        Locale.ROOT,
                        "%n  #%d %-12s reward=%+.3f score=%.3f wins=%d losses=%d ties=%d",
                        r.getRank(),
                        r.getResponseId(),
                        r.getReward(),
                        r.getScore(),
                        r.getWins(),
                        r.getLosses(),
                        r.getTies())));
    return text.toString();
  }

  static String reward(RewardResult r) {
    String head =
        String.format(
            Locale.ROOT,
            "reward  %s %s preferred=%s p_a_better=%.3f reward_a=%+.3f reward_b=%+.3f"
                + " latency=%dms %s/%s %s seed=%d gen=%d",
            r.getRolloutId(),
            r.getStatus(),
            r.getPreferred(),
            r.getPABetter(),
            r.getRewardA(),
            r.getRewardB(),
            r.getLatencyMs(),
            r.getJudgeId(),
            r.getJudgeVersion(),
            r.getMode(),
            r.getSeed(),
            r.getGenerations());
    return r.getFailureReason() != null
        ? head + " failure=\"" + excerpt(r.getFailureReason(), 2 * EXCERPT) + "\""
        : head + " analysis=\"" + excerpt(r.getChosenAnalysis(), EXCERPT) + "\"";
  }

  static String deadLetter(DeadLetter d) {
    return String.format(
        Locale.ROOT,
        "dead    %s %s from %s-%d@%d: %s",
        d.getRolloutId() != null ? d.getRolloutId() : "(key " + keyText(d) + ")",
        d.getReasonCode(),
        d.getSourceTopic(),
        d.getSourcePartition(),
        d.getSourceOffset(),
        excerpt(d.getReason(), 3 * EXCERPT));
  }

  static String rollout(RolloutPair p) {
    return String.format(
        Locale.ROOT,
        "rollout %s policy=%s prompt=\"%s\" a=\"%s\" b=\"%s\"",
        p.getRolloutId(),
        p.getPolicyVersion(),
        excerpt(p.getPrompt(), EXCERPT),
        excerpt(p.getResponseA(), EXCERPT / 2),
        excerpt(p.getResponseB(), EXCERPT / 2));
  }

  static String stats(RewardWindowStats s) {
    return String.format(
        Locale.ROOT,
        "stats   policy=%s judge=%s [%s, %s) n=%d mean_p_a=%.3f mean_margin=%+.3f failed=%.1f%%",
        s.getPolicyVersion(),
        s.getJudgeVersion(),
        s.getWindowStart(),
        s.getWindowEnd(),
        s.getCount(),
        s.getMeanPABetter(),
        s.getMeanRewardMargin(),
        100 * s.getFailedRate());
  }

  static String alert(DriftAlert a) {
    return String.format(
        Locale.ROOT,
        "alert   policy=%s judge=%s %s=%.3f (threshold %.3f) window [%s, %s): %s",
        a.getPolicyVersion(),
        a.getJudgeVersion(),
        a.getStatistic(),
        a.getValue(),
        a.getThreshold(),
        a.getWindowStart(),
        a.getWindowEnd(),
        excerpt(a.getMessage(), 2 * EXCERPT));
  }

  private static String keyText(DeadLetter d) {
    if (d.getOriginalKey() == null) {
      return "null";
    }
    java.nio.ByteBuffer key = d.getOriginalKey().duplicate();
    byte[] bytes = new byte[key.remaining()];
    key.get(bytes);
    return excerpt(new String(bytes, java.nio.charset.StandardCharsets.UTF_8), EXCERPT / 2);
  }

  private static String undecodable(byte[] value) {
    byte[] head = java.util.Arrays.copyOf(value, Math.min(value.length, 16));
    return "(not a RewardStream record: "
        + value.length
        + " bytes, starting "
        + HexFormat.ofDelimiter(" ").formatHex(head)
        + ")";
  }

  /** One line of at most {@code max} characters: newlines shown as a space, cut with "...". */
  public static String excerpt(String text, int max) {
    if (text == null) {
      return "";
    }
    String flat = text.replaceAll("\\s+", " ").strip();
    return flat.length() <= max ? flat : flat.substring(0, Math.max(0, max - 3)) + "...";
  }
}
