package io.rewardstream.schemas;

import io.rewardstream.schemas.AvroDecodingException.Kind;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for one generated Avro record type in Avro single-object encoding: {@code C3 01}, the
 * writer schema's 8-byte little-endian CRC-64-AVRO fingerprint, then the Avro binary body.
 *
 * <p>Single-object encoding is the default wire format because it needs no schema registry: the
 * fingerprint names the writer schema, and the {@link SchemaHistory#store() schema history}
 * resolves it, so a message from an older producer decodes into the current class with the new
 * fields defaulted. A Python actor can produce it with a 10-byte header and any Avro library.
 *
 * <p>Null maps to null both ways, so tombstones pass through. Undecodable bytes raise an {@link
 * AvroDecodingException} whose {@link AvroDecodingException.Kind kind} and message say what was
 * wrong and what the producer must change. Instances hold no per-call state and are safe to share
 * between threads, topics and topologies; {@link #configure} and {@link #close} do nothing.
 */
public final class SingleObjectSerde<T extends SpecificRecord>
    implements Serde<T>, Serializer<T>, Deserializer<T> {

  /** Length of the single-object header: 2 marker bytes and the 8-byte fingerprint. */
  public static final int HEADER_LENGTH = 10;

  private static final byte MARKER_0 = (byte) 0xC3;
  private static final byte MARKER_1 = (byte) 0x01;

  private static final String FORMAT_FIX =
      "the producer must use Avro single-object encoding: C3 01 + 8-byte little-endian"
          + " CRC-64-AVRO fingerprint of the schema's Parsing Canonical Form + Avro binary body"
          + " (Java: BinaryMessageEncoder; other languages: docs/wire-format.md)";

  private final Class<T> type;
  private final Schema readerSchema;
  private final SchemaStore store;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  /** A serde that resolves writer fingerprints against {@link SchemaHistory#store()}. */
  public SingleObjectSerde(Class<T> type) {
    this(type, SchemaHistory.store());
  }

  /**
   * A serde that resolves writer fingerprints against the given store (tests, or an application
   * that ships extra schema versions).
   */
  public SingleObjectSerde(Class<T> type, SchemaStore store) {
    this.type = Objects.requireNonNull(type, "type");
    this.store = Objects.requireNonNull(store, "store");
    // The generated class's own model carries its logical-type conversions (timestamp-millis).
    SpecificData model = SpecificData.getForClass(type);
    this.readerSchema = model.getSchema(type);
    this.encoder = new BinaryMessageEncoder<>(model, readerSchema);
    this.decoder = new BinaryMessageDecoder<>(model, readerSchema, store);
  }

  /** The record type this serde reads and writes. */
  public Class<T> type() {
    return type;
  }

  /** The schema this serde writes with and decodes into (the current generated schema). */
  public Schema schema() {
    return readerSchema;
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try {
      encoder.encode(data, out);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "Cannot serialize "
              + type.getSimpleName()
              + " for topic '"
              + topic
              + "' (a required field is null or has the wrong type?): "
              + e.getMessage(),
          e);
    }
    return out.toByteArray();
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    long fingerprint = checkHeader(topic, data);
    try {
      return decoder.decode(data);
    } catch (BadHeaderException e) {
      throw failure(Kind.NOT_SINGLE_OBJECT, topic, data, e.getMessage() + "; " + FORMAT_FIX, e);
    } catch (MissingSchemaException e) {
      throw failure(Kind.UNKNOWN_FINGERPRINT, topic, data, unknownDetail(fingerprint), e);
    } catch (IOException | RuntimeException e) {
      if (hasCause(e, EOFException.class)) {
        throw failure(Kind.TRUNCATED, topic, data, truncatedDetail(fingerprint), e);
      }
      throw failure(Kind.INCOMPATIBLE, topic, data, incompatibleDetail(fingerprint, e), e);
    }
  }

  @Override
  public Serializer<T> serializer() {
    return this;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    // Nothing to configure: the schema comes from the class, writer schemas from the history.
  }

  @Override
  public void close() {
    // Nothing to release; instances are shared.
  }

  @Override
  public String toString() {
    return "SingleObjectSerde[" + type.getSimpleName() + "]";
  }

  /**
   * Checks the header before Avro does, so every failure names its kind precisely, and a message of
   * another record type is refused rather than resolved field by field into this one.
   *
   * @return the writer fingerprint
   */
  private long checkHeader(String topic, byte[] data) {
    boolean marker0 = data.length < 1 || data[0] == MARKER_0;
    boolean marker1 = data.length < 2 || data[1] == MARKER_1;
    if (!marker0 || !marker1) {
      throw failure(Kind.NOT_SINGLE_OBJECT, topic, data, notSingleObjectDetail(data), null);
    }
    if (data.length < HEADER_LENGTH) {
      String detail =
          "the single-object header alone is "
              + HEADER_LENGTH
              + " bytes (C3 01 + 8-byte fingerprint); the message was cut short or is empty";
      throw failure(Kind.TRUNCATED, topic, data, detail, null);
    }
    long fingerprint = ByteBuffer.wrap(data, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    Schema writer = store.findByFingerprint(fingerprint);
    if (writer == null) {
      throw failure(Kind.UNKNOWN_FINGERPRINT, topic, data, unknownDetail(fingerprint), null);
    }
    if (!isSameRecord(writer)) {
      String detail =
          String.format(
              Locale.ROOT,
              "the header names writer schema %s (fingerprint %s), not %s; the producer wrote"
                  + " the wrong record type to this topic, or the consumer uses the wrong serde",
              writer.getFullName(),
              hex(fingerprint),
              readerSchema.getFullName());
      throw failure(Kind.INCOMPATIBLE, topic, data, detail, null);
    }
    return fingerprint;
  }

  private boolean isSameRecord(Schema writer) {
    return writer.getType() == readerSchema.getType()
        && (writer.getFullName().equals(readerSchema.getFullName())
            || readerSchema.getAliases().contains(writer.getFullName()));
  }

  private static String notSingleObjectDetail(byte[] data) {
    String first =
        data.length >= 2
            ? String.format(Locale.ROOT, "0x%02X 0x%02X", data[0], data[1])
            : String.format(Locale.ROOT, "0x%02X", data[0]);
    String guess =
        data[0] == 0
            ? "this looks like the Confluent wire format (0x00 + 4-byte schema id), which needs"
                + " the app's registry mode; otherwise "
            : "garbage bytes, JSON, or raw Avro without a header; ";
    return "starts with " + first + ", not the single-object marker C3 01: " + guess + FORMAT_FIX;
  }

  private String unknownDetail(long fingerprint) {
    return "writer schema fingerprint "
        + hex(fingerprint)
        + " is not a released version of any RewardStream record; the producer must write with"
        + " a released schema (schemas/src/main/avro), or a new version must be added to the"
        + " schema history (SchemaHistory) and deployed to consumers before producers use it";
  }

  private String truncatedDetail(long fingerprint) {
    return "the body ends before the "
        + readerSchema.getName()
        + " record does (writer fingerprint "
        + hex(fingerprint)
        + "); the message was cut short, or a length inside it is corrupt; the producer must"
        + " send the complete encoder output";
  }

  private String incompatibleDetail(long fingerprint, Exception e) {
    return "the body written with fingerprint "
        + hex(fingerprint)
        + " cannot be read as the current "
        + readerSchema.getName()
        + " ("
        + e
        + "); schemas may only evolve by adding fields with defaults, and the body must be"
        + " encoded with the schema whose fingerprint is in the header";
  }

  private AvroDecodingException failure(
      Kind kind, String topic, byte[] data, String detail, Throwable cause) {
    return new AvroDecodingException(
        kind, topic, data.length, readerSchema.getName(), detail, cause);
  }

  /** Formats a fingerprint the way Avro tools print it (the long value, big-endian hex). */
  static String hex(long fingerprint) {
    return String.format(Locale.ROOT, "0x%016X", fingerprint);
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> causeType) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (causeType.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
