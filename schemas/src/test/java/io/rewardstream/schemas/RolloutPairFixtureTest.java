package io.rewardstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rewardstream.avro.ChatMessage;
import io.rewardstream.avro.RolloutPair;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cross-language contract: a RolloutPair written by python3-avro with a hand-built 10-byte
 * header (fixtures/make_fixture.py) decodes with the Java serde, and Java writes the same bytes.
 */
class RolloutPairFixtureTest {

  private static byte[] pythonBytes;
  private static JsonNode expected;

  @BeforeAll
  static void loadFixture() throws IOException {
    pythonBytes = resource("/fixtures/rollout-pair.bin");
    expected = new ObjectMapper().readTree(resource("/fixtures/rollout-pair.json"));
  }

  @Test
  void pythonComputesTheSameFingerprintAsJava() {
    long java = SchemaNormalization.parsingFingerprint64(RolloutPair.getClassSchema());

    assertThat(expected.get("_fingerprint_hex").asText()).isEqualTo(SingleObjectSerde.hex(java));
  }

  @Test
  void pythonBytesDecodeToEveryExpectedField() {
    // when
    RolloutPair pair = AvroSerdes.rolloutPair().deserializer().deserialize("rollouts", pythonBytes);

    // then
    assertThat(pair.getRolloutId()).isEqualTo(text("rollout_id"));
    assertThat(pair.getPrompt()).isEqualTo(text("prompt"));
    assertThat(pair.getResponseA()).isEqualTo(text("response_a"));
    assertThat(pair.getResponseB()).isEqualTo(text("response_b"));
    assertThat(pair.getPolicyVersion()).isEqualTo(text("policy_version"));
    assertThat(pair.getProducedAt())
        .isEqualTo(Instant.ofEpochMilli(expected.get("produced_at").asLong()));
    assertThat(pair.getMessages()).containsExactlyElementsOf(expectedMessages());
    assertThat(pair.getGroupId()).isEqualTo(text("group_id"));
    assertThat(pair.getReferenceAnswer()).isEqualTo(text("reference_answer"));
    assertThat(pair.getMetadata()).containsExactlyInAnyOrderEntriesOf(expectedMetadata());
  }

  @Test
  void javaReEncodesThePythonMessageByteForByte() {
    // given
    RolloutPair pair = AvroSerdes.rolloutPair().deserializer().deserialize("rollouts", pythonBytes);

    // when
    byte[] javaBytes = AvroSerdes.rolloutPair().serializer().serialize("rollouts", pair);

    // then (metadata keys in the fixture are ones Java's HashMap iterates in Python's order)
    assertThat(javaBytes).isEqualTo(pythonBytes);
  }

  private static List<ChatMessage> expectedMessages() {
    List<ChatMessage> messages = new ArrayList<>();
    for (JsonNode m : expected.get("messages")) {
      messages.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
    }
    return messages;
  }

  private static Map<String, String> expectedMetadata() {
    Map<String, String> metadata = new LinkedHashMap<>();
    expected
        .get("metadata")
        .properties()
        .forEach(e -> metadata.put(e.getKey(), e.getValue().asText()));
    return metadata;
  }

  private static String text(String field) {
    return expected.get(field).asText();
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = RolloutPairFixtureTest.class.getResourceAsStream(name)) {
      assertThat(in).as("test resource %s", name).isNotNull();
      return in.readAllBytes();
    }
  }
}
