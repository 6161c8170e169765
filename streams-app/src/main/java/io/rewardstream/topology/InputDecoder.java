package io.rewardstream.topology;

import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.scoring.Rejection;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The first step of both validators (pairs and groups): the size limit, then decoding, then the
 * tombstone check. Decoding happens in the validators, not in the source, so that a record that
 * fails keeps its bytes and source position for its dead letter.
 *
 * @param <T> the decoded record type
 */
final class InputDecoder<T> {

  /**
   * What the first step found: a value to check further, or why the record is rejected (with the
   * value when it decoded, for the dead letter's id).
   */
  record Decoded<T>(T value, Rejection rejection) {}

  private final Deserializer<T> deserializer;
  private final int maxRecordBytes;
  private final String what;

  /**
   * @param what the record's name in the tombstone reason ("pair", "group")
   */
  InputDecoder(Deserializer<T> deserializer, int maxRecordBytes, String what) {
    this.deserializer = deserializer;
    this.maxRecordBytes = maxRecordBytes;
    this.what = what;
  }

  Decoded<T> decode(String topic, Record<byte[], byte[]> record) {
    long size = Rejection.recordSize(record.key(), record.value());
    if (size > maxRecordBytes) {
      // Checked before anything else: an oversize record must not reach a buffer (its changelog
      // write would fail and stop the instance, on every restart); it is decoded only for its id.
      return new Decoded<>(decodeQuietly(topic, record), Rejection.oversize(size, maxRecordBytes));
    }
    T value;
    try {
      value = deserializer.deserialize(topic, record.headers(), record.value());
    } catch (SerializationException e) {
      return new Decoded<>(null, Rejection.undecodable(e));
    }
    if (value == null) {
      return new Decoded<>(
          null,
          new Rejection(
              DeadLetterReason.UNDECODABLE, "value is null (a tombstone), not a " + what));
    }
    return new Decoded<>(value, null);
  }

  private T decodeQuietly(String topic, Record<byte[], byte[]> record) {
    try {
      return deserializer.deserialize(topic, record.headers(), record.value());
    } catch (RuntimeException e) {
      return null;
    }
  }
}
