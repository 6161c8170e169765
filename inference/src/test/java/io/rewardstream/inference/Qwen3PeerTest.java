package io.rewardstream.inference;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real model family through our code, against what a widely used peer makes of the same inputs:
 * Qwen3's tokenizer (DJL vs transformers.js), its chat template (Jinjava vs
 * {@code @huggingface/jinja}) and a random-weight model in its architecture (our KV-cache engine vs
 * transformers.js on onnxruntime-node). The peer's outputs are {@code qwen3/reference.json}, made
 * by {@code tools/peer-js/reference.mjs} from {@code qwen3/cases.json}.
 */
class Qwen3PeerTest {

  private static JsonNode cases;
  private static JsonNode reference;
  private static LanguageModel model;
  private static ChatTemplate template;

  @BeforeAll
  static void load() throws IOException {
    ObjectMapper json = new ObjectMapper();
    cases = json.readTree(TestModels.qwen3Fixture("cases.json").toFile());
    reference = json.readTree(TestModels.qwen3Fixture("reference.json").toFile());
    model =
        LanguageModel.load(
            TestModels.qwen3TinyRandom(), new InferenceOptions(InferenceOptions.Device.CPU, 1, 0));
    template = ChatTemplate.read(TestModels.qwen3TinyRandom().resolve(ChatTemplate.CONFIG_FILE));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void tokenIdsEqualTransformersJs() {
    assertThat(reference.get("texts")).hasSize(cases.get("texts").size());
    for (JsonNode t : reference.get("texts")) {
      assertThat(model.encode(t.get("text").asText()))
          .as("ids of %s", t.get("text"))
          .containsExactly(ints(t.get("ids")));
    }
  }

  @Test
  void decodeRoundTripsPlainText() {
    for (JsonNode t : reference.get("texts")) {
      String text = t.get("text").asText();
      if (!text.contains("<|")) {
        assertThat(model.decode(ints(t.get("ids")))).isEqualTo(text);
      }
    }
  }

  @Test
  void chatTemplateRendersLikeHuggingFaceJinja() {
    int i = 0;
    for (JsonNode c : cases.get("chats")) {
      JsonNode expected = reference.get("chats").get(i++);
      assertThat(expected.get("name").asText()).isEqualTo(c.get("name").asText());
      List<ChatTemplate.Message> messages = new ArrayList<>();
      c.get("messages")
          .forEach(
              m ->
                  messages.add(
                      new ChatTemplate.Message(m.get("role").asText(), m.get("content").asText())));
      @SuppressWarnings("unchecked")
      Map<String, Object> kwargs = new ObjectMapper().convertValue(c.get("kwargs"), Map.class);
      String rendered =
          template.render(messages, c.get("add_generation_prompt").asBoolean(), kwargs);
      assertThat(rendered).as(c.get("name").asText()).isEqualTo(expected.get("rendered").asText());
      assertThat(model.encode(rendered))
          .as("ids of the rendered %s", c.get("name"))
          .containsExactly(ints(expected.get("ids")));
    }
  }

  @Test
  void greedyTokensEqualTransformersJsOneByOneAndBatched() {
    int steps = reference.get("steps").asInt();
    SamplingParams greedy = new SamplingParams(0, 1, steps, List.of(), true);
    List<GenerationRequest> all = new ArrayList<>();
    List<int[]> expected = new ArrayList<>();
    for (JsonNode g : reference.get("generations")) {
      GenerationRequest request =
          new GenerationRequest(ints(g.get("prompt")), new long[] {0}, greedy);
      all.add(request);
      expected.add(ints(g.get("greedy")));
      // alone (batch 1, as the peer ran it)
      assertThat(model.generate(List.of(request)).get(0).get(0).tokenIds())
          .as("greedy ids for %s", g.get("chat"))
          .containsExactly(expected.get(expected.size() - 1));
    }
    // and all prompts in one left-padded batch
    List<List<Generation>> batched = model.generate(all);
    for (int r = 0; r < all.size(); r++) {
      assertThat(batched.get(r).get(0).tokenIds())
          .as("batched row %d", r)
          .containsExactly(expected.get(r));
    }
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }
}
