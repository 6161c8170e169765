package io.rewardstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewardstream.avro.RolloutPair;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class SchemaHistoryTest {

  @Test
  void rolloutPairWrittenWithV1DecodesIntoTheCurrentClassWithDefaults() throws IOException {
    // given a v1 producer: the v1 schema, no messages/group_id/reference_answer/metadata
    Schema v1 = SchemaHistory.version("RolloutPair", 1);
    GenericRecord old = new GenericData.Record(v1);
    old.put("rollout_id", "r-old");
    old.put("prompt", "2 + 2?");
    old.put("response_a", "4");
    old.put("response_b", "5");
    old.put("policy_version", "policy-v1");
    old.put("produced_at", 1_700_000_000_123L);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old, out);

    // when the current consumer decodes it
    RolloutPair decoded =
        AvroSerdes.rolloutPair().deserializer().deserialize("r", out.toByteArray());

    // then old fields are kept and new ones take their defaults
    assertThat(decoded.getRolloutId()).isEqualTo("r-old");
    assertThat(decoded.getPrompt()).isEqualTo("2 + 2?");
    assertThat(decoded.getResponseA()).isEqualTo("4");
    assertThat(decoded.getResponseB()).isEqualTo("5");
    assertThat(decoded.getPolicyVersion()).isEqualTo("policy-v1");
    assertThat(decoded.getProducedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_123L));
    assertThat(decoded.getMessages()).isNull();
    assertThat(decoded.getGroupId()).isNull();
    assertThat(decoded.getReferenceAnswer()).isNull();
    assertThat(decoded.getMetadata()).isEmpty();
  }

  @Test
  void theLatestReleasedVersionOfEachRecordIsTheCurrentSchema() {
    // A failure here means a .avsc changed without a new history version (see history/README.md).
    for (Schema current : SchemaHistory.current()) {
      List<Schema> versions = SchemaHistory.versions(current.getName());
      Schema latest = versions.get(versions.size() - 1);
      assertThat(SchemaNormalization.parsingFingerprint64(latest))
          .as(
              "history/%s-v%d.avsc vs current %s.avsc",
              current.getName(), versions.size(), current.getName())
          .isEqualTo(SchemaNormalization.parsingFingerprint64(current));
    }
  }

  @Test
  void theCurrentReaderCanReadEveryReleasedVersion() {
    for (Schema current : SchemaHistory.current()) {
      for (Schema writer : SchemaHistory.versions(current.getName())) {
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, writer).getType())
            .as("current %s reading %s", current.getName(), writer)
            .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
      }
    }
  }

  @Test
  void everyReleasedVersionHasItsOwnFingerprintInTheStore() {
    List<Schema> all = SchemaHistory.all();

    assertThat(all).hasSize(11);
    assertThat(all.stream().map(SchemaNormalization::parsingFingerprint64).distinct()).hasSize(11);
    for (Schema schema : all) {
      long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
      assertThat(SchemaHistory.store().findByFingerprint(fingerprint)).isNotNull();
    }
  }

  @Test
  void unknownRecordsAndVersionsAreRefusedWithTheKnownOnes() {
    assertThatThrownBy(() -> SchemaHistory.versions("Nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("RolloutPair");
    assertThatThrownBy(() -> SchemaHistory.version("RolloutPair", 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1..2");
  }
}
