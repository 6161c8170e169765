package io.rewardstream.scoring;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.RolloutPair;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * Builds {@link DeadLetter} records: one place, shared by the topology and replay, for how
 * provenance and bytes are filled in.
 */
public final class DeadLetters {

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
    return DeadLetter.newBuilder()
        .setReasonCode(code)
        .setReason(reason)
        .setRolloutId(pair == null ? null : pair.getRolloutId())
        .setPolicyVersion(pair == null ? null : pair.getPolicyVersion())
        .setProducedAt(pair == null ? null : pair.getProducedAt())
        .setSourceTopic(topic)
        .setSourcePartition(partition)
        .setSourceOffset(offset)
        .setOriginalKey(wrap(key))
        .setOriginalValue(wrap(value))
        .setFailedAt(Instant.ofEpochMilli(failedAtMs))
        .build();
  }

  private static ByteBuffer wrap(byte[] bytes) {
    return bytes == null ? null : ByteBuffer.wrap(bytes);
  }
}
