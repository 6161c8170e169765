package io.rewardstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewardstream.avro.RolloutPair;
import java.io.BufferedReader;
import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RolloutJsonlTest {

  private static final String GOOD =
      "{\"rollout_id\":\"r-1\",\"prompt\":\"2+2?\",\"response_a\":\"4\",\"response_b\":\"5\","
          + "\"policy_version\":\"p-1\"}";

  private static List<RolloutPair> read(String text) {
    return RolloutJsonl.read(new BufferedReader(new StringReader(text)), "in.jsonl", 42L);
  }

  @Test
  void readsRequiredFieldsDefaultsAndSkipsBlankLines() {
    List<RolloutPair> pairs = read(GOOD + "\n\n" + GOOD.replace("r-1", "r-2") + "\n");

    assertThat(pairs).hasSize(2);
    RolloutPair first = pairs.get(0);
    assertThat(first.getRolloutId()).isEqualTo("r-1");
    assertThat(first.getResponseB()).isEqualTo("5");
    assertThat(first.getProducedAt()).isEqualTo(Instant.ofEpochMilli(42));
    assertThat(first.getMetadata()).isEmpty();
    assertThat(first.getGroupId()).isNull();
    assertThat(first.getMessages()).isNull();
  }

  @Test
  void readsOptionalFields() {
    String line =
        GOOD.replace(
            "}",
            ",\"group_id\":\"g\",\"reference_answer\":\"4\",\"metadata\":{\"step\":12,\"ok\":true},"
                + "\"produced_at\":\"2026-01-01T00:00:00Z\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"2+2?\"}]}");

    RolloutPair pair = read(line).get(0);

    assertThat(pair.getGroupId()).isEqualTo("g");
    assertThat(pair.getReferenceAnswer()).isEqualTo("4");
    assertThat(pair.getMetadata()).containsEntry("step", "12").containsEntry("ok", "true");
    assertThat(pair.getProducedAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(pair.getMessages()).hasSize(1);
    assertThat(pair.getMessages().get(0).getRole()).isEqualTo("user");
  }

  @Test
  void emptyStringsAreAcceptedForThePipelineToDeadLetter() {
    assertThat(read(GOOD.replace("\"5\"", "\"\"")).get(0).getResponseB()).isEmpty();
  }

  @Test
  void errorsNameTheLineAndTheField() {
    assertThatThrownBy(() -> read(GOOD + "\n" + GOOD.replace(",\"response_b\":\"5\"", "")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("in.jsonl line 2 has no \"response_b\"");
    assertThatThrownBy(() -> read(GOOD.replace("\"2+2?\"", "7")))
        .hasMessageContaining("line 1 field \"prompt\" must be a string, got number 7");
    assertThatThrownBy(() -> read(GOOD.replace("response_a", "respone_a")))
        .hasMessageContaining("line 1 has unknown field \"respone_a\"");
    assertThatThrownBy(() -> read("{\"rollout_id\": "))
        .hasMessageContaining("line 1 is not valid JSON");
    assertThatThrownBy(() -> read("[1, 2]")).hasMessageContaining("line 1 is not a JSON object");
    assertThatThrownBy(() -> read(GOOD.replace("}", ",\"produced_at\":\"yesterday\"}")))
        .hasMessageContaining("\"produced_at\" must be epoch milliseconds or an ISO-8601");
    assertThatThrownBy(() -> read(GOOD.replace("}", ",\"messages\":[{\"role\":\"user\"}]}")))
        .hasMessageContaining("messages[0] has no \"content\" (required: role, content)");
  }
}
