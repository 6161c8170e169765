package io.rewardstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.rewardstream.avro.RolloutPair;
import io.rewardstream.schemas.AvroDecodingException.Kind;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

class AvroDecodingExceptionTest {

  private final Deserializer<RolloutPair> deserializer = AvroSerdes.rolloutPair().deserializer();

  @Test
  void garbageBytesAreNotSingleObject() {
    // given JSON where Avro was expected
    byte[] garbage = "{\"rollout_id\":\"r1\"}".getBytes(StandardCharsets.UTF_8);

    // when
    AvroDecodingException e = decodeFailure(garbage);

    // then
    assertThat(e.kind()).isEqualTo(Kind.NOT_SINGLE_OBJECT);
    assertThat(e).isInstanceOf(SerializationException.class);
    assertThat(e.topic()).isEqualTo("rollouts");
    assertThat(e.length()).isEqualTo(garbage.length);
    assertThat(e.getMessage())
        .startsWith("NOT_SINGLE_OBJECT")
        .contains("RolloutPair", "'rollouts'", garbage.length + " bytes", "0x7B 0x22")
        .contains("C3 01 + 8-byte little-endian CRC-64-AVRO fingerprint");
  }

  @Test
  void confluentWireFormatIsRecognisedInTheMessage() {
    // given 0x00 + a 4-byte schema id + body
    byte[] confluent = {0, 0, 0, 0, 7, 2, 'x'};

    AvroDecodingException e = decodeFailure(confluent);

    assertThat(e.kind()).isEqualTo(Kind.NOT_SINGLE_OBJECT);
    assertThat(e.getMessage()).contains("Confluent wire format", "registry mode");
  }

  @Test
  void aMessageCutInsideTheHeaderIsTruncated() {
    // given the first 6 of the 10 header bytes
    byte[] cut = Arrays.copyOf(validBytes(), 6);

    AvroDecodingException e = decodeFailure(cut);

    assertThat(e.kind()).isEqualTo(Kind.TRUNCATED);
    assertThat(e.getMessage()).startsWith("TRUNCATED").contains("(6 bytes)", "header");
  }

  @Test
  void aMessageCutInsideTheBodyIsTruncated() {
    // given a valid message missing its last 5 bytes
    byte[] valid = validBytes();
    byte[] cut = Arrays.copyOf(valid, valid.length - 5);

    // when
    AvroDecodingException e = decodeFailure(cut);

    // then
    assertThat(e.kind()).isEqualTo(Kind.TRUNCATED);
    assertThat(e.length()).isEqualTo(valid.length - 5);
    assertThat(e.getMessage())
        .startsWith("TRUNCATED")
        .contains("'rollouts'", "(" + (valid.length - 5) + " bytes)", "cut short");
  }

  @Test
  void anEmptyValueIsTruncatedNotATombstone() {
    AvroDecodingException e = decodeFailure(new byte[0]);

    assertThat(e.kind()).isEqualTo(Kind.TRUNCATED);
    assertThat(e.getMessage()).contains("(0 bytes)");
  }

  @Test
  void anUnknownFingerprintIsNamedInHex() {
    // given a valid message whose fingerprint bytes name no known schema
    byte[] bytes = validBytes();
    long unknown = 0x0123456789ABCDEFL;
    for (int i = 0; i < 8; i++) {
      bytes[2 + i] = (byte) (unknown >>> (8 * i));
    }

    // when
    AvroDecodingException e = decodeFailure(bytes);

    // then
    assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_FINGERPRINT);
    assertThat(e.getMessage())
        .startsWith("UNKNOWN_FINGERPRINT")
        .contains("0x0123456789ABCDEF", "'rollouts'", "schema history");
  }

  @Test
  void anotherRecordTypeIsIncompatible() {
    // given a RewardResult written where a RolloutPair is expected
    byte[] reward =
        AvroSerdes.rewardResult().serializer().serialize("rollouts", TestRecords.rewardResult());

    // when
    AvroDecodingException e = decodeFailure(reward);

    // then
    assertThat(e.kind()).isEqualTo(Kind.INCOMPATIBLE);
    assertThat(e.getMessage())
        .startsWith("INCOMPATIBLE")
        .contains("io.rewardstream.avro.RewardResult", "RolloutPair", "wrong record type");
  }

  @Test
  void aCorruptBodyIsIncompatibleWithItsHeader() {
    // given a valid header followed by a negative string length (zig-zag 0x01 = -1)
    byte[] bytes = Arrays.copyOf(validBytes(), 12);
    bytes[10] = 0x01;
    bytes[11] = 0x00;

    AvroDecodingException e = decodeFailure(bytes);

    assertThat(e.kind()).isEqualTo(Kind.INCOMPATIBLE);
    assertThat(e.getMessage()).contains("cannot be read as the current RolloutPair");
  }

  private byte[] validBytes() {
    return AvroSerdes.rolloutPair().serializer().serialize("rollouts", TestRecords.rolloutPair());
  }

  private AvroDecodingException decodeFailure(byte[] bytes) {
    Throwable thrown = catchThrowable(() -> deserializer.deserialize("rollouts", bytes));
    assertThat(thrown).isInstanceOf(AvroDecodingException.class);
    return (AvroDecodingException) thrown;
  }
}
