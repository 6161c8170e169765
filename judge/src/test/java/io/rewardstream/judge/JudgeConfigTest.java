package io.rewardstream.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rewardstream.inference.TestModels;
import io.rewardstream.judge.Verdict.Order;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** judge.json drives prompts and parsing: the bundled judge's and the shipped RM-R1 fragment. */
class JudgeConfigTest {

  @TempDir Path tmp;

  private static final PairInput PAIR = new PairInput("r1", "2+2?", "4", "5");

  @Test
  void bundledJudgeBuildsItsTrainingPromptAndParsesItsVerdicts() {
    JudgeConfig config = JudgeConfig.read(TestModels.judgeTiny().resolve("judge.json"));
    PromptBuilder prompts = new PromptBuilder(config);
    assertThat(prompts.judgment(PAIR, Order.BA))
        .isEqualTo("Question: 2+2?\nResponse 1: 5\nResponse 2: 4\nJudge:");
    VerdictParser parser = new VerdictParser(config.responsePattern(), config.responseLabels());
    assertThat(parser.winner("<Result>Response 2 is better than Response 1</Result>")).hasValue(1);
  }

  @Test
  void rmR1FragmentSwapsTemplatesAndParserWithoutCodeChanges() throws IOException {
    // given: the bundled judge.json with the RM-R1 fragment merged in, as docs/judge.md describes
    ObjectMapper json = new ObjectMapper();
    ObjectNode merged =
        (ObjectNode) json.readTree(TestModels.judgeTiny().resolve("judge.json").toFile());
    Path fragment =
        TestModels.judgeTiny().getParent().resolve("templates/rm-r1.judge-fragment.json");
    merged.setAll((ObjectNode) json.readTree(fragment.toFile()));
    Path file = tmp.resolve("judge.json");
    json.writeValue(file.toFile(), merged);
    // when
    JudgeConfig config = JudgeConfig.read(file);
    // then
    String prompt = new PromptBuilder(config).judgment(PAIR, Order.AB);
    assertThat(prompt)
        .contains("[The Start of Chatbot A's Response]\n4\n")
        .contains("[The Start of Chatbot B's Response]\n5\n")
        .endsWith("<|im_start|>assistant\n");
    VerdictParser parser = new VerdictParser(config.responsePattern(), config.responseLabels());
    assertThat(parser.winner("<rubric>r</rubric><eval>e</eval><answer>[[B]]</answer>")).hasValue(1);
    assertThat(parser.winner("<answer>[[A]]</answer>")).hasValue(0);
    assertThat(config.stopStrings()).contains("</answer>");
  }

  @Test
  void missingTemplateIsNamed() throws IOException {
    Path file = tmp.resolve("judge.json");
    Files.writeString(
        file, "{\"verdict_patterns\": {\"response\": \"(1)\", \"critique\": \"(1)\"}}");
    assertThatThrownBy(() -> JudgeConfig.read(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("templates.response_preference");
  }
}
