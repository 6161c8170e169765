package io.rewardstream.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of bad model directory fails at load with a message naming the problem. */
class ModelErrorsTest {

  @TempDir Path tmp;

  private Path copyOfJudgeTinyWithout(String missing) throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("model"));
    for (String name : List.of("model.onnx", "tokenizer.json", "judge.json")) {
      if (!name.equals(missing)) {
        Files.copy(TestModels.judgeTiny().resolve(name), dir.resolve(name));
      }
    }
    return dir;
  }

  @Test
  void missingDirectory() {
    assertThatThrownBy(() -> LanguageModel.load(tmp.resolve("nope"), InferenceOptions.cpu()))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("does not exist")
        .hasMessageContaining("nope");
  }

  @Test
  void missingTokenizer() throws IOException {
    Path dir = copyOfJudgeTinyWithout("tokenizer.json");
    assertThatThrownBy(() -> LanguageModel.load(dir, InferenceOptions.cpu()))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("has no tokenizer.json");
  }

  @Test
  void missingModelFile() throws IOException {
    Path dir = copyOfJudgeTinyWithout("model.onnx");
    assertThatThrownBy(() -> LanguageModel.load(dir, InferenceOptions.cpu()))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("has no model.onnx");
  }

  @Test
  void graphWithoutKvCacheNamesTheMissingInput() throws IOException {
    // a real ONNX graph (committed fixture, made by make_bad_models.py) with input_ids,
    // attention_mask and logits but no past_key_values
    Path dir = copyOfJudgeTinyWithout("model.onnx");
    try (var in = getClass().getResourceAsStream("/bad-models/no-past.onnx")) {
      Files.copy(in, dir.resolve("model.onnx"));
    }
    assertThatThrownBy(() -> LanguageModel.load(dir, InferenceOptions.cpu()))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("past_key_values.0.key");
  }

  @Test
  void graphWithWrongInputTypeNamesTheInput() throws IOException {
    Path dir = copyOfJudgeTinyWithout("model.onnx");
    try (var in = getClass().getResourceAsStream("/bad-models/float-input-ids.onnx")) {
      Files.copy(in, dir.resolve("model.onnx"));
    }
    assertThatThrownBy(() -> LanguageModel.load(dir, InferenceOptions.cpu()))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("input_ids must be a rank-2 INT64 tensor");
  }

  @Test
  void cudaOnACpuBuildFailsAtStartWithTheFix() {
    assertThatThrownBy(
            () ->
                LanguageModel.load(
                    TestModels.judgeTiny(),
                    new InferenceOptions(InferenceOptions.Device.CUDA, 0, 0)))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("no CUDA execution provider")
        .hasMessageContaining("-Pgpu");
  }

  @Test
  void promptLongerThanTheContextSaysBothLengths() {
    try (LanguageModel model = LanguageModel.load(TestModels.judgeTiny(), InferenceOptions.cpu())) {
      int[] prompt = new int[model.config().maxContext() + 5];
      assertThatThrownBy(
              () ->
                  model.generate(
                      List.of(
                          new GenerationRequest(
                              prompt, new long[] {0}, SamplingParams.greedy(4, List.of())))))
          .isInstanceOf(InferenceException.class)
          .hasMessageContaining(String.valueOf(prompt.length))
          .hasMessageContaining(String.valueOf(model.config().maxContext()));
      assertThat(model.config().maxContext()).isPositive();
    }
  }
}
