package io.rewardstream.topology;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.RolloutPair;

/** The shared {@link io.rewardstream.scoring.DeadLetters} builder, plus the buffered-pair case. */
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
    return io.rewardstream.scoring.DeadLetters.of(
        code, reason, pair, topic, partition, offset, key, value, failedAtMs);
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
}
