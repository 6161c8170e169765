package io.rewardstream.topology;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.RolloutPair;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Builds {@link DeadLetter} records: one place for how provenance and bytes are filled in. */
final class DeadLetters {

  private DeadLetters() {}

  /**
   * A dead letter for a record that never became a pair (undecodable) or failed validation.
   *
   * @param pair the decoded pair, or null when the bytes did not decode
   */
  static DeadLetter of(
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

  /** A dead letter for a buffered pair (duplicate, or failed scoring). */
  static DeadLetter of(
      DeadLetterReason code, String reason, BufferedPair buffered, long failedAtMs) {
    return of(
        code,
        reason,
        buffered.pair(),
        buffered.sourceTopic(),
        buffered.sourcePartition(),
        buffered.sourceOffset(),
        buffered.originalKey(),
        buffered.originalValue(),
        failedAtMs);
  }

  private static ByteBuffer wrap(byte[] bytes) {
    return bytes == null ? null : ByteBuffer.wrap(bytes);
  }
}
