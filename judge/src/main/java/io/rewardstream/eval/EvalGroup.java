package io.rewardstream.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rewardstream.judge.group.GroupRanker;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One rollout group with its truth: {@code {"id","prompt","subset","responses":[{"response_id",
 * "text","correct"}]}} (e.g. models/judge-tiny/heldout-groups8.jsonl).
 *
 * @param id group id
 * @param prompt the prompt
 * @param subset task family, for the report
 * @param texts the responses
 * @param correct whether each response is right
 */
public record EvalGroup(
    String id, String prompt, String subset, List<String> texts, List<Boolean> correct) {

  public EvalGroup {
    texts = List.copyOf(texts);
    correct = List.copyOf(correct);
  }

  /** The group as the ranker takes it. */
  public GroupRanker.GroupInput input() {
    return new GroupRanker.GroupInput(id, prompt, texts);
  }

  /**
   * Reads a JSONL file of groups, at most {@code limit} (0 = all).
   *
   * @throws IllegalArgumentException naming the file, line and problem
   */
  public static List<EvalGroup> readJsonl(Path file, int limit) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "--data "
              + file
              + " does not exist; give a JSONL file of groups (e.g."
              + " models/judge-tiny/heldout-groups8.jsonl)");
    }
    ObjectMapper json = new ObjectMapper();
    List<EvalGroup> groups = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = in.readLine()) != null && (limit <= 0 || groups.size() < limit)) {
        number++;
        if (!line.isBlank()) {
          groups.add(parse(json.readTree(line), file, number));
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return groups;
  }

  private static EvalGroup parse(JsonNode node, Path file, int line) {
    JsonNode responses = node.path("responses");
    if (!node.hasNonNull("id") || !node.hasNonNull("prompt") || responses.size() < 2) {
      throw new IllegalArgumentException(
          file
              + " line "
              + line
              + ": a group needs \"id\", \"prompt\" and at least 2 \"responses\" of {\"text\","
              + " \"correct\"}");
    }
    List<String> texts = new ArrayList<>();
    List<Boolean> correct = new ArrayList<>();
    for (JsonNode r : responses) {
      if (!r.hasNonNull("text") || !r.path("correct").isBoolean()) {
        throw new IllegalArgumentException(
            file + " line " + line + ": every response needs \"text\" and a boolean \"correct\"");
      }
      texts.add(r.get("text").asText());
      correct.add(r.get("correct").asBoolean());
    }
    return new EvalGroup(
        node.get("id").asText(),
        node.get("prompt").asText(),
        node.path("subset").asText("all"),
        texts,
        correct);
  }
}
