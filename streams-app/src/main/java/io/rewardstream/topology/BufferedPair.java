package io.rewardstream.topology;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.scoring.DeadLetters;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A valid pair waiting in the batch buffer, with where it came from and when it arrived.
 *
 * <p>The provenance is stored with the pair (not looked up at flush time) because a flush may run
 * after a restart, from the changelog, when the original record context is long gone. The original
 * bytes are kept so that a pair that later fails scoring is dead-lettered exactly as it was sent.
 *
 * @param pair the decoded pair
 * @param sourceTopic input topic
 * @param sourcePartition input partition
 * @param sourceOffset input offset
 * @param arrivalMs wall-clock time the pair entered the buffer (epoch ms)
 * @param originalKey key bytes as received (may be null)
 * @param originalValue value bytes as received
 */
public record BufferedPair(
    RolloutPair pair,
    String sourceTopic,
    int sourcePartition,
    long sourceOffset,
    long arrivalMs,
    byte[] originalKey,
    byte[] originalValue)
    implements Buffered {

  /** Format version of {@link #serde()}; bump it (and keep reading the old one) on change. */
  static final byte FORMAT_VERSION = 1;

  public BufferedPair {
    Objects.requireNonNull(pair, "pair");
    Objects.requireNonNull(sourceTopic, "sourceTopic");
  }

  /**
   * A dead letter for this pair (a duplicate, or scoring failed), with its provenance and bytes.
   */
  DeadLetter deadLetter(DeadLetterReason code, String reason, long failedAtMs) {
    return DeadLetters.of(
        code,
        reason,
        pair,
        sourceTopic,
        sourcePartition,
        sourceOffset,
        originalKey,
        originalValue,
        failedAtMs);
  }

  /**
   * The store's value serde. Layout, big-endian: version byte (1); source topic (modified UTF-8);
   * partition (int); offset (long); arrival ms (long); original key, original value and the pair
   * each as an int length (-1 = null) and that many bytes. The pair is Avro single-object encoded
   * with the current RolloutPair schema, so it decodes without the writer's schema history.
   */
  public static Serde<BufferedPair> serde() {
    return Serdes.serdeFrom(SERIALIZER, DESERIALIZER);
  }

  private static final Serializer<BufferedPair> SERIALIZER =
      (topic, value) -> value == null ? null : encode(value);

  private static final Deserializer<BufferedPair> DESERIALIZER =
      (topic, bytes) -> bytes == null ? null : decode(bytes);

  private static byte[] encode(BufferedPair value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT_VERSION);
      out.writeUTF(value.sourceTopic);
      out.writeInt(value.sourcePartition);
      out.writeLong(value.sourceOffset);
      out.writeLong(value.arrivalMs);
      writeBytes(out, value.originalKey);
      writeBytes(out, value.originalValue);
      ByteBuffer pair = value.pair.toByteBuffer();
      byte[] pairBytes = new byte[pair.remaining()];
      pair.get(pairBytes);
      writeBytes(out, pairBytes);
    } catch (IOException e) {
      throw new SerializationException(
          "cannot encode buffered pair " + value.pair.getRolloutId(), e);
    }
    return bytes.toByteArray();
  }

  private static BufferedPair decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte version = in.readByte();
      if (version != FORMAT_VERSION) {
        throw new SerializationException("unknown buffered pair format version " + version);
      }
      String topic = in.readUTF();
      int partition = in.readInt();
      long offset = in.readLong();
      long arrival = in.readLong();
      byte[] key = readBytes(in);
      byte[] value = readBytes(in);
      RolloutPair pair = RolloutPair.fromByteBuffer(ByteBuffer.wrap(readBytes(in)));
      return new BufferedPair(pair, topic, partition, offset, arrival, key, value);
    } catch (IOException e) {
      throw new SerializationException("cannot decode buffered pair (" + bytes.length + " B)", e);
    }
  }

  static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
    out.writeInt(bytes == null ? -1 : bytes.length);
    if (bytes != null) {
      out.write(bytes);
    }
  }

  static byte[] readBytes(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0) {
      return null;
    }
    byte[] bytes = in.readNBytes(length);
    if (bytes.length != length) {
      throw new EOFException("expected " + length + " bytes, found " + bytes.length);
    }
    return bytes;
  }
}
