package io.rewardstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RolloutPair;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class SingleObjectSerdeTest {

  @Test
  void rolloutPairWithEveryFieldSetRoundTrips() {
    assertRoundTrip(AvroSerdes.rolloutPair(), TestRecords.rolloutPair());
  }

  @Test
  void rolloutPairWithNullableFieldsUnsetRoundTripsWithDefaults() {
    // given a pair with only the required fields
    RolloutPair minimal = TestRecords.minimalRolloutPair();

    // when
    RolloutPair decoded = roundTrip(AvroSerdes.rolloutPair(), minimal);

    // then
    assertThat(decoded).isEqualTo(minimal);
    assertThat(decoded.getMessages()).isNull();
    assertThat(decoded.getGroupId()).isNull();
    assertThat(decoded.getReferenceAnswer()).isNull();
    assertThat(decoded.getMetadata()).isEmpty();
  }

  @Test
  void rewardResultWithNestedCandidatesRoundTrips() {
    // given candidates with won_reflection true, false and null, text set and unset
    RewardResult result = TestRecords.rewardResult();

    // when
    RewardResult decoded = roundTrip(AvroSerdes.rewardResult(), result);

    // then
    assertThat(decoded).isEqualTo(result);
    assertThat(decoded.getCandidates()).hasSize(3);
    assertThat(decoded.getCandidates().get(0).getWonReflection()).isNull();
    assertThat(decoded.getCandidates().get(1).getWonReflection()).isTrue();
    assertThat(decoded.getCandidates().get(2).getText()).isNull();
    assertThat(decoded.getFailureReason()).isNull();
  }

  @Test
  void deadLetterWithRawBytesRoundTrips() {
    assertRoundTrip(AvroSerdes.deadLetter(), TestRecords.deadLetter());
  }

  @Test
  void deadLetterWithNullableFieldsUnsetRoundTrips() {
    DeadLetter decoded = roundTrip(AvroSerdes.deadLetter(), TestRecords.minimalDeadLetter());

    assertThat(decoded).isEqualTo(TestRecords.minimalDeadLetter());
    assertThat(decoded.getOriginalValue()).isNull();
    assertThat(decoded.getProducedAt()).isNull();
  }

  @Test
  void rewardWindowStatsRoundTrips() {
    assertRoundTrip(AvroSerdes.rewardWindowStats(), TestRecords.rewardWindowStats());
  }

  @Test
  void driftAlertRoundTrips() {
    assertRoundTrip(AvroSerdes.driftAlert(), TestRecords.driftAlert());
  }

  @Test
  void writesTheSingleObjectHeaderWithTheCurrentFingerprint() {
    // when
    byte[] bytes = AvroSerdes.rolloutPair().serializer().serialize("t", TestRecords.rolloutPair());

    // then C3 01 + the little-endian CRC-64-AVRO of the schema's canonical form
    long fingerprint = SchemaNormalization.parsingFingerprint64(RolloutPair.getClassSchema());
    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    for (int i = 0; i < 8; i++) {
      assertThat(bytes[2 + i]).isEqualTo((byte) (fingerprint >>> (8 * i)));
    }
  }

  @Test
  void nullSerializesToNullAndTombstonesDeserializeToNull() {
    // given
    Serde<RolloutPair> serde = AvroSerdes.rolloutPair();

    // when / then
    assertThat(serde.serializer().serialize("rollouts", null)).isNull();
    assertThat(serde.deserializer().deserialize("rollouts", null)).isNull();
    assertThat(serde.deserializer().deserialize("rollouts", new RecordHeaders(), (byte[]) null))
        .isNull();
  }

  @Test
  void serializingARecordWithAMissingRequiredFieldFailsNamingTypeAndTopic() {
    // given a record built without the builder's checks
    RolloutPair broken = new RolloutPair();

    // when / then
    assertThatThrownBy(() -> AvroSerdes.rolloutPair().serializer().serialize("rollouts", broken))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("RolloutPair")
        .hasMessageContaining("'rollouts'");
  }

  @Test
  void serdeIsItsOwnSerializerAndDeserializer() {
    SingleObjectSerde<RolloutPair> serde = AvroSerdes.forType(RolloutPair.class);

    assertThat(serde.serializer()).isSameAs(serde);
    assertThat(serde.deserializer()).isSameAs(serde);
    assertThat(serde.schema()).isEqualTo(RolloutPair.getClassSchema());
    assertThat(serde).hasToString("SingleObjectSerde[RolloutPair]");
  }

  private static <T extends SpecificRecord> void assertRoundTrip(Serde<T> serde, T record) {
    assertThat(roundTrip(serde, record)).isEqualTo(record);
  }

  private static <T extends SpecificRecord> T roundTrip(Serde<T> serde, T record) {
    byte[] bytes = serde.serializer().serialize("topic", record);
    return serde.deserializer().deserialize("topic", bytes);
  }
}
