package io.rewardstream.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The judging part of {@code judge.json}: prompt templates, verdict patterns and generation
 * defaults. Changing these, not the code, adapts the judge to another export (e.g. the RM-R1
 * template shipped in {@code models/templates/}).
 *
 * @param responseTemplate response-preference prompt with {prompt} {response_1} {response_2}
 * @param analysisTemplate analysis-preference prompt, adding {critique_1} {critique_2}
 * @param responsePattern regex finding the verdict; group 1 = the winning response's label; an
 *     optional group 2 must then be the other label
 * @param critiquePattern the same for the reflection verdict over critiques
 * @param responseLabels labels of the first and second response in the pattern, e.g. ["1","2"]
 * @param critiqueLabels labels of the first and second critique
 * @param stopStrings generation stops after one of these
 * @param maxNewTokens bound on a judgment's tokens
 * @param reflectionMaxNewTokens bound on a reflection's tokens
 * @param temperature default sampling temperature of judgments
 * @param topP default nucleus of judgments
 * @param samples default number of sampled judgments per pair
 * @param chat the model's chat template and how the judge prompt goes into it; null for a plain
 *     text judge (the bundled one)
 * @param forcedResponse the verdict line forced onto a judgment without one ({label}, {other});
 *     null = such a judgment abstains ({@link VerdictForcing})
 * @param forcedCritique the same for a reflection
 */
public record JudgeConfig(
    String responseTemplate,
    String analysisTemplate,
    Pattern responsePattern,
    Pattern critiquePattern,
    List<String> responseLabels,
    List<String> critiqueLabels,
    List<String> stopStrings,
    int maxNewTokens,
    int reflectionMaxNewTokens,
    double temperature,
    double topP,
    int samples,
    ChatPrompt chat,
    String forcedResponse,
    String forcedCritique) {

  /** Reads the judging settings of a model directory's {@code judge.json}. */
  public static JudgeConfig read(Path judgeJson) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(judgeJson.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + judgeJson + ": " + e.getMessage(), e);
    }
    JsonNode gen = root.path("generation");
    return new JudgeConfig(
        text(root, "templates", "response_preference", judgeJson),
        text(root, "templates", "analysis_preference", judgeJson),
        pattern(root, "response", judgeJson),
        pattern(root, "critique", judgeJson),
        labels(root.get("response_labels")),
        labels(root.get("critique_labels")),
        strings(root.path("stop_strings")),
        gen.path("max_new_tokens").asInt(128),
        gen.path("reflection_max_new_tokens").asInt(48),
        gen.path("temperature").asDouble(1.0),
        gen.path("top_p").asDouble(1.0),
        gen.path("samples").asInt(8),
        ChatPrompt.read(root, judgeJson),
        forced(root, "response"),
        forced(root, "critique"));
  }

  private static String forced(JsonNode root, String key) {
    JsonNode node = root.path("forced_verdict").get(key);
    return node == null || node.isNull() ? null : node.asText();
  }

  private static String text(JsonNode root, String group, String key, Path file) {
    JsonNode node = root.path(group).get(key);
    if (node == null || !node.isTextual()) {
      throw new IllegalArgumentException(
          file + " has no \"" + group + "." + key + "\" string: add the prompt template");
    }
    return node.asText();
  }

  private static Pattern pattern(JsonNode root, String key, Path file) {
    String regex = text(root, "verdict_patterns", key, file);
    try {
      Pattern p = Pattern.compile(regex, Pattern.DOTALL);
      if (p.matcher("").groupCount() < 1) {
        throw new IllegalArgumentException(
            file + ": verdict_patterns." + key + " needs a group capturing the winner's label");
      }
      return p;
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          file + ": verdict_patterns." + key + " is not a valid regex: " + e.getMessage(), e);
    }
  }

  private static List<String> labels(JsonNode node) {
    if (node == null || !node.isArray() || node.size() != 2) {
      return List.of("1", "2");
    }
    return List.of(node.get(0).asText(), node.get(1).asText());
  }

  private static List<String> strings(JsonNode node) {
    List<String> out = new ArrayList<>();
    node.forEach(n -> out.add(n.asText()));
    return List.copyOf(out);
  }
}
