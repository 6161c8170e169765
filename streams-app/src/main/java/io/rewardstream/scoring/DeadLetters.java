package io.rewardstream.scoring;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.RolloutGroup;
import io.rewardstream.avro.RolloutPair;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * Builds {@link DeadLetter} records: one place, shared by the topology and replay, for how
 * provenance and bytes are filled in.
 */
public final class DeadLetters {

  /**
   * Most bytes of the original key or value a dead letter carries; longer ones are cut to this
   * prefix and {@code original_value_size} states the full value length, so the dead-letter write
   * itself can never be too large for the topic.
   */
  public static final int MAX_ORIGINAL_BYTES = 64 * 1024;

  private DeadLetters() {}

  /**
   * A dead letter for a record that never became a pair (undecodable) or failed validation.
   *
   * @param pair the decoded pair, or null when the bytes did not decode
   */
  public static DeadLetter of(
      DeadLetterReason code,
      String reason,
      RolloutPair pair,
      String topic,
      int partition,
      long offset,
      byte[] key,
      byte[] value,
      long failedAtMs) {
    return common(code, reason, topic, partition, offset, key, value, failedAtMs)
        .setRolloutId(pair == null ? null : pair.getRolloutId())
        .setPolicyVersion(pair == null ? null : pair.getPolicyVersion())
        .setProducedAt(pair == null ? null : pair.getProducedAt())
        .setGroupId(pair == null ? null : pair.getGroupId())
        .build();
  }

  /**
   * A dead letter for a rollout group (group scoring): no rollout_id, the group_id set.
   *
   * @param group the decoded group, or null when the bytes did not decode
   */
  public static DeadLetter ofGroup(
      DeadLetterReason code,
      String reason,
      RolloutGroup group,
      String topic,
      int partition,
      long offset,
      byte[] key,
      byte[] value,
      long failedAtMs) {
    return common(code, reason, topic, partition, offset, key, value, failedAtMs)
        .setGroupId(group == null ? null : group.getGroupId())
        .setPolicyVersion(group == null ? null : group.getPolicyVersion())
        .setProducedAt(group == null ? null : group.getProducedAt())
        .build();
  }

  private static DeadLetter.Builder common(
      DeadLetterReason code,
      String reason,
      String topic,
      int partition,
      long offset,
      byte[] key,
      byte[] value,
      long failedAtMs) {
    return DeadLetter.newBuilder()
        .setReasonCode(code)
        .setReason(reason)
        .setSourceTopic(topic)
        .setSourcePartition(partition)
        .setSourceOffset(offset)
        .setOriginalKey(prefix(key))
        .setOriginalValue(prefix(value))
        .setOriginalValueSize(
            value != null && value.length > MAX_ORIGINAL_BYTES ? (long) value.length : null)
        .setFailedAt(Instant.ofEpochMilli(failedAtMs));
  }

  private static ByteBuffer prefix(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    return ByteBuffer.wrap(bytes, 0, Math.min(bytes.length, MAX_ORIGINAL_BYTES)).slice();
  }
}
