package io.rewardstream.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewardstream.inference.ChatTemplate;
import io.rewardstream.inference.InferenceOptions;
import io.rewardstream.inference.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chat judge (judge.json's {@code chat_template}) on the Qwen3-architecture model with random
 * weights: the prompt is the model's own chat template around the filled judge template, a
 * chat-form prompt is shown as a transcript, and every mode runs through the engine. Its verdicts
 * are noise (random weights); the path is what is tested.
 */
class ChatJudgeTest {

  private static final PairInput PLAIN =
      new PairInput("p-1", "What is 3 + 4?", "It is 7.", "It is 12.");
  private static final PairInput CHAT =
      new PairInput(
          "p-2",
          "user: Name a prime.",
          "7 is prime.",
          "8 is prime.",
          List.of(
              new PairInput.Turn("system", "Answer briefly."),
              new PairInput.Turn("user", "Name a prime.")));

  private static JudgeConfig config;
  private static ReflectiveJudge judge;

  @BeforeAll
  static void open() {
    Path dir = TestModels.qwen3TinyRandom();
    config = JudgeConfig.read(dir.resolve("judge.json"));
    judge =
        ReflectiveJudge.open(
            dir, JudgeOptions.defaults(), new InferenceOptions(InferenceOptions.Device.CPU, 1, 0));
  }

  @AfterAll
  static void close() {
    judge.close();
  }

  @Test
  void promptIsTheModelsChatTemplateAroundTheFilledJudgeTemplate() {
    ChatTemplate template =
        ChatTemplate.read(TestModels.qwen3TinyRandom().resolve("tokenizer_config.json"));
    String user =
        PromptBuilder.fill(
            config.responseTemplate(),
            Map.of(
                "prompt", "What is 3 + 4?", "response_1", "It is 12.", "response_2", "It is 7."));
    String expected =
        template.render(
            List.of(
                new ChatTemplate.Message("system", config.chat().system()),
                new ChatTemplate.Message("user", user)),
            true,
            Map.of("enable_thinking", false));
    String prompt = new PromptBuilder(config).judgment(PLAIN, Verdict.Order.BA);
    assertThat(prompt).isEqualTo(expected);
    assertThat(prompt)
        .startsWith("<|im_start|>system\n" + config.chat().system() + "<|im_end|>\n")
        .contains("Response 1:\nIt is 12.")
        .endsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n");
  }

  @Test
  void aChatFormPromptIsShownAsATranscript() {
    String prompt = new PromptBuilder(config).judgment(CHAT, Verdict.Order.AB);
    assertThat(prompt).contains("Question:\nsystem: Answer briefly.\nuser: Name a prime.\n");
    String reflection =
        new PromptBuilder(config).reflection(CHAT, Verdict.Order.AB, "first", "second");
    assertThat(reflection)
        .contains("system: Answer briefly.\nuser: Name a prime.")
        .contains("Critique 1:\nfirst")
        .endsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n");
  }

  @Test
  void everyModeRunsThroughTheEngine() {
    for (JudgeOptions.Mode mode : JudgeOptions.Mode.values()) {
      try (ReflectiveJudge j =
          ReflectiveJudge.open(
              TestModels.qwen3TinyRandom(),
              new JudgeOptions(mode, 2, Double.NaN),
              new InferenceOptions(InferenceOptions.Device.CPU, 1, 0))) {
        List<Verdict> verdicts = j.judge(List.of(PLAIN, CHAT));
        assertThat(verdicts).hasSize(2);
        for (Verdict v : verdicts) {
          assertThat(v.ok()).as("%s %s", mode, v.failureReason()).isTrue();
          assertThat(v.pABetter()).isBetween(0.0, 1.0);
          assertThat(v.candidates()).isNotEmpty();
          assertThat(v.candidates())
              .allSatisfy(c -> assertThat(c.tokens()).isBetween(1, config.maxNewTokens() + 1));
        }
      }
    }
  }

  @Test
  void aMissingTokenizerConfigIsNamed(@TempDir Path dir) throws IOException {
    Files.copy(TestModels.qwen3TinyRandom().resolve("judge.json"), dir.resolve("judge.json"));
    assertThatThrownBy(() -> JudgeConfig.read(dir.resolve("judge.json")))
        .hasMessageContaining("tokenizer_config.json")
        .hasMessageContaining("remove the chat_template section");
  }

  @Test
  void aTemplateThatCannotRenderFailsAtStart(@TempDir Path dir) throws IOException {
    Files.copy(TestModels.qwen3TinyRandom().resolve("judge.json"), dir.resolve("judge.json"));
    Files.writeString(
        dir.resolve("tokenizer_config.json"),
        "{\"chat_template\": \"{{ raise_exception('only user turns') }}\"}");
    assertThatThrownBy(() -> JudgeConfig.read(dir.resolve("judge.json")))
        .hasMessageContaining("judge.json")
        .hasMessageContaining("only user turns");
  }
}
