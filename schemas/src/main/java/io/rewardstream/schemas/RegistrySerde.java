package io.rewardstream.schemas;

import io.rewardstream.schemas.AvroDecodingException.Kind;
import io.rewardstream.schemas.registry.RegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for one generated Avro record type that reads both RewardStream wire formats and
 * writes the configured one, with a schema registry behind it.
 *
 * <ul>
 *   <li><b>Confluent wire format</b>: {@code 00}, the writer schema's 4-byte big-endian registry
 *       id, then the Avro binary body. The subject is {@code <topic>-value} (Confluent's default
 *       TopicNameStrategy); the writer schema of an id is fetched from the registry once and
 *       cached.
 *   <li><b>Single-object encoding</b> ({@code C3 01} + fingerprint + body): read through {@link
 *       SingleObjectSerde}, so an actor can move from one format to the other without a flag day.
 * </ul>
 *
 * <p>Failures of a record (truncated, unknown id, another record type) are {@link
 * AvroDecodingException}s like the single-object serde's, so they reach the dead-letter topic;
 * failures of the registry itself ({@link io.rewardstream.schemas.registry.RegistryFailure}) are
 * not, so a registry outage never dead-letters good records. Thread-safe.
 */
public final class RegistrySerde<T extends SpecificRecord>
    implements Serde<T>, Serializer<T>, Deserializer<T> {

  /** The Confluent wire format's first byte. */
  public static final byte MAGIC = 0;

  /** Magic byte plus the 4-byte schema id. */
  public static final int HEADER_LENGTH = 5;

  private final SingleObjectSerde<T> singleObject;
  private final RegistryClient registry;
  private final boolean writeRegistry;
  private final Schema readerSchema;
  private final SpecificData model;
  private final SpecificDatumWriter<T> writer;
  private final Map<Integer, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();

  /** The writer schema's id per topic: one registry call per topic, none per record after it. */
  private final Map<String, Integer> ids = new ConcurrentHashMap<>();

  /**
   * @param writeRegistry write the Confluent wire format (true) or single-object encoding (false)
   */
  public RegistrySerde(
      SingleObjectSerde<T> singleObject, RegistryClient registry, boolean writeRegistry) {
    this.singleObject = Objects.requireNonNull(singleObject, "singleObject");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.writeRegistry = writeRegistry;
    this.model = SpecificData.getForClass(singleObject.type());
    this.readerSchema = singleObject.schema();
    this.writer = new SpecificDatumWriter<>(readerSchema, model);
  }

  /** The subject a topic's values are registered under (Confluent's TopicNameStrategy). */
  public static String subject(String topic) {
    return topic + "-value";
  }

  /** The schema this serde writes with and decodes into. */
  public Schema schema() {
    return readerSchema;
  }

  /** Whether this serde writes the Confluent wire format (else single-object encoding). */
  public boolean writesRegistryFormat() {
    return writeRegistry;
  }

  /**
   * Registers (or looks up) this serde's schema under the topic's subject now, so that a refusal is
   * a start-up error and writing later needs no registry call.
   *
   * @return the schema id
   */
  public int prepare(String topic) {
    return idFor(topic);
  }

  private int idFor(String topic) {
    Integer id = ids.get(topic);
    if (id == null) {
      id = registry.idFor(subject(topic), readerSchema);
      ids.put(topic, id);
    }
    return id;
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    if (!writeRegistry) {
      return singleObject.serialize(topic, data);
    }
    int id = idFor(topic);
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.write(MAGIC);
    out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      writer.write(data, encoder);
      encoder.flush();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "Cannot serialize "
              + readerSchema.getName()
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
    if (data.length == 0 || data[0] != MAGIC) {
      if (data.length > 0 && data[0] != (byte) 0xC3) {
        throw failure(Kind.NOT_SINGLE_OBJECT, topic, data, notFramedDetail(data), null);
      }
      return singleObject.deserialize(topic, data);
    }
    if (data.length < HEADER_LENGTH) {
      throw failure(
          Kind.TRUNCATED,
          topic,
          data,
          "the Confluent header alone is 5 bytes (00 + 4-byte schema id); the message was cut"
              + " short",
          null);
    }
    int id = ByteBuffer.wrap(data, 1, 4).getInt();
    SpecificDatumReader<T> reader = readers.get(id);
    if (reader == null) {
      reader = readerFor(id, topic, data);
      readers.putIfAbsent(id, reader);
    }
    BinaryDecoder decoder =
        DecoderFactory.get().binaryDecoder(data, HEADER_LENGTH, data.length - HEADER_LENGTH, null);
    try {
      return reader.read(null, decoder);
    } catch (IOException | RuntimeException e) {
      if (e instanceof EOFException || e.getCause() instanceof EOFException) {
        throw failure(
            Kind.TRUNCATED,
            topic,
            data,
            "the body ends before the "
                + readerSchema.getName()
                + " record does (schema id "
                + id
                + "); the producer must send the complete serializer output",
            e);
      }
      throw failure(
          Kind.INCOMPATIBLE,
          topic,
          data,
          "the body written with schema id "
              + id
              + " cannot be read as the current "
              + readerSchema.getName()
              + " ("
              + e
              + ")",
          e);
    }
  }

  /**
   * A reader from the writer schema of {@code id} to the current class; a record error when the
   * registry has no such id or it names another record.
   */
  private SpecificDatumReader<T> readerFor(int id, String topic, byte[] data) {
    Schema writerSchema =
        registry
            .schemaById(id)
            .orElseThrow(
                () ->
                    failure(
                        Kind.UNKNOWN_SCHEMA_ID,
                        topic,
                        data,
                        "schema id "
                            + id
                            + " is not in the schema registry at "
                            + registry.settings().url()
                            + "; the producer registered its schema in another registry, or the"
                            + " schema was deleted",
                        null));
    boolean sameRecord =
        writerSchema.getType() == readerSchema.getType()
            && (writerSchema.getFullName().equals(readerSchema.getFullName())
                || readerSchema.getAliases().contains(writerSchema.getFullName()));
    if (!sameRecord) {
      throw failure(
          Kind.INCOMPATIBLE,
          topic,
          data,
          String.format(
              Locale.ROOT,
              "schema id %d is %s, not %s; the producer wrote the wrong record type to this"
                  + " topic",
              id,
              writerSchema.getFullName(),
              readerSchema.getFullName()),
          null);
    }
    return new SpecificDatumReader<>(writerSchema, readerSchema, model);
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
    // Configured at construction from the app's settings.
  }

  @Override
  public void close() {
    // Shared; nothing to release.
  }

  @Override
  public String toString() {
    return "RegistrySerde[" + readerSchema.getName() + (writeRegistry ? ", writes registry]" : "]");
  }

  private static String notFramedDetail(byte[] data) {
    return String.format(
        Locale.ROOT,
        "starts with 0x%02X, neither the Confluent wire format (0x00 + 4-byte schema id) nor"
            + " Avro single-object encoding (C3 01 + fingerprint): garbage bytes, JSON, or raw"
            + " Avro without a header; the producer must use one of the two (docs/wire-format.md)",
        data[0]);
  }

  private AvroDecodingException failure(
      Kind kind, String topic, byte[] data, String detail, Throwable cause) {
    return new AvroDecodingException(
        kind, topic, data.length, readerSchema.getName(), detail, cause);
  }
}
