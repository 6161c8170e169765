package io.rewardstream.schemas;

import java.util.Locale;
import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Bytes on a topic that are not a decodable RewardStream record.
 *
 * <p>It extends Kafka's {@link SerializationException} so Kafka Streams hands it to the
 * deserialization exception handler, which routes the record to the dead-letter topic instead of
 * stopping the app. The {@link Kind} lets that handler (and a human reading the DLQ) tell a
 * producer that uses the wrong wire format from one that uses a schema this build does not know;
 * the message always names the kind, the topic, the byte length and the fix.
 */
public class AvroDecodingException extends SerializationException {

  private static final long serialVersionUID = 1L;

  /** What was wrong with the bytes; each kind has a different fix on the producer side. */
  public enum Kind {
    /**
     * The bytes start with neither the single-object marker {@code C3 01} nor (where a registry is
     * configured) the Confluent magic byte {@code 00}: garbage bytes, JSON, raw Avro.
     */
    NOT_SINGLE_OBJECT,
    /** The bytes end before the header or the record body does. */
    TRUNCATED,
    /** The header names a schema fingerprint that no released RewardStream schema has. */
    UNKNOWN_FINGERPRINT,
    /** A Confluent-framed record names a schema id that the schema registry does not have. */
    UNKNOWN_SCHEMA_ID,
    /**
     * The writer schema is known but cannot be read as the expected record: another record type, an
     * evolution that broke the rules, or a body that does not match its own header.
     */
    INCOMPATIBLE
  }

  private final Kind kind;
  private final String topic;
  private final int length;

  /**
   * @param detail what exactly was wrong and what to do about it
   * @param cause Avro's own exception, or null when the header check caught it first
   */
  public AvroDecodingException(
      Kind kind, String topic, int length, String expectedType, String detail, Throwable cause) {
    super(message(kind, topic, length, expectedType, detail), cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.topic = topic;
    this.length = length;
  }

  /** Which of the failures it was. */
  public Kind kind() {
    return kind;
  }

  /** The topic the bytes came from (may be null when the caller did not know it). */
  public String topic() {
    return topic;
  }

  /** Length of the undecodable value in bytes. */
  public int length() {
    return length;
  }

  private static String message(
      Kind kind, String topic, int length, String expectedType, String detail) {
    return String.format(
        Locale.ROOT,
        "%s: cannot decode %s from topic '%s' (%d bytes): %s",
        kind,
        expectedType,
        topic,
        length,
        detail);
  }
}
