package io.rewardstream.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rewardstream.inference.InferenceOptions;
import io.rewardstream.inference.TestModels;
import io.rewardstream.judge.Verdict.CandidateVerdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled judge cut short (6 new tokens: never enough for its analysis and verdict) abstains on
 * every judgment; with {@code forced_verdict} every judgment ends in a verdict line the model
 * picked, in every mode.
 */
class VerdictForcingTest {

  private static final List<PairInput> PAIRS =
      List.of(
          new PairInput(
              "f-1",
              "Gus has 9 bags with 2 stamps in each. How many stamps does Gus have?",
              "Gus has 18 stamps.",
              "Gus has 20 stamps."),
          new PairInput(
              "f-2",
              "Jack has 4 toys. Ian has 8 coins. Carl has 7 socks. How many socks does Carl have?",
              "The answer is 8.",
              "Carl has 7 socks."));

  @Test
  void aJudgmentCutShortAbstainsWithoutForcingAndVotesWithIt(@TempDir Path dir) throws Exception {
    Path plain = judgeDir(dir.resolve("plain"), j -> j.remove("forced_verdict"));
    Path forced = judgeDir(dir.resolve("forced"), j -> {});
    for (JudgeOptions.Mode mode : JudgeOptions.Mode.values()) {
      JudgeOptions options = new JudgeOptions(mode, 4, Double.NaN);
      try (ReflectiveJudge without = open(plain, options);
          ReflectiveJudge with = open(forced, options)) {
        for (Verdict v : without.judge(PAIRS)) {
          assertThat(v.candidates())
              .as("%s without forcing", mode)
              .allSatisfy(c -> assertThat(c.verdict()).isEqualTo(CandidateVerdict.ABSTAIN));
          assertThat(v.preferred()).isEqualTo(Verdict.Preference.TIE);
        }
        for (Verdict v : with.judge(PAIRS)) {
          assertThat(v.candidates())
              .as("%s with forcing", mode)
              .allSatisfy(
                  c -> {
                    assertThat(c.verdict()).isNotEqualTo(CandidateVerdict.ABSTAIN);
                    assertThat(c.text())
                        .containsPattern(
                            "\\n<Result>Response ([12]) is better than Response ([12])</Result>$");
                    assertThat(c.tokens()).isEqualTo(6 + 1);
                  });
          // each forced line is one more (one-token) engine generation
          long compared = v.candidates().stream().filter(c -> c.wonReflection() != null).count();
          assertThat(v.generations()).isGreaterThanOrEqualTo(2 * v.candidates().size());
          assertThat(compared).isLessThanOrEqualTo(v.candidates().size());
          if (mode == JudgeOptions.Mode.REFLECT) {
            // every judgment now votes, so every one but the anchors is compared with its anchor
            long anchors = v.candidates().stream().filter(Verdict.Candidate::anchor).count();
            assertThat(compared).isEqualTo(v.candidates().size() - anchors);
          }
        }
      }
    }
  }

  @Test
  void labelsThatAreNotOneTokenAreRefusedAtStart(@TempDir Path dir) throws Exception {
    Path bad =
        judgeDir(
            dir,
            j -> {
              j.putArray("response_labels").add("first one").add("second one");
              j.withObject("verdict_patterns")
                  .put(
                      "response",
                      "<Result>Response (first one|second one) is better than Response (first"
                          + " one|second one)</Result>");
            });
    assertThatThrownBy(() -> open(bad, JudgeOptions.defaults()))
        .hasMessageContaining("forced_verdict.response")
        .hasMessageContaining("'first one'")
        .hasMessageContaining("single-token labels");
  }

  private static ReflectiveJudge open(Path dir, JudgeOptions options) {
    return ReflectiveJudge.open(
        dir, options, new InferenceOptions(InferenceOptions.Device.CPU, 1, 0));
  }

  /** The bundled judge's files, linked, with a judge.json cut to 6 new tokens and then edited. */
  private static Path judgeDir(Path dir, Consumer<ObjectNode> edit) throws IOException {
    Files.createDirectories(dir);
    Path tiny = TestModels.judgeTiny();
    for (String f : List.of("model.onnx", "tokenizer.json")) {
      Files.createSymbolicLink(dir.resolve(f), tiny.resolve(f));
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode judge = (ObjectNode) json.readTree(tiny.resolve("judge.json").toFile());
    judge.withObject("generation").put("max_new_tokens", 6).put("reflection_max_new_tokens", 6);
    if (!judge.has("forced_verdict")) {
      judge
          .putObject("forced_verdict")
          .put("response", "<Result>Response {label} is better than Response {other}</Result>")
          .put("critique", "<Result>Critique {label} is better than Critique {other}</Result>");
    }
    edit.accept(judge);
    json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("judge.json").toFile(), judge);
    return dir;
  }
}
