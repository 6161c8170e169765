package io.rewardstream.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One RewardBench-shaped preference pair: {@code {"id","prompt","chosen","rejected","subset"}}. */
public record EvalPair(String id, String prompt, String chosen, String rejected, String subset) {

  /**
   * Reads a JSONL file, at most {@code limit} pairs (0 = all).
   *
   * @throws IllegalArgumentException naming the file, line and missing field
   */
  public static List<EvalPair> readJsonl(Path file, int limit) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "--data "
              + file
              + " does not exist; give a RewardBench-shaped JSONL file (e.g."
              + " models/judge-tiny/heldout.jsonl)");
    }
    ObjectMapper json = new ObjectMapper();
    List<EvalPair> pairs = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = in.readLine()) != null && (limit <= 0 || pairs.size() < limit)) {
        number++;
        if (!line.isBlank()) {
          pairs.add(parse(json.readTree(line), file, number));
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return pairs;
  }

  private static EvalPair parse(JsonNode node, Path file, int line) {
    return new EvalPair(
        field(node, "id", file, line),
        field(node, "prompt", file, line),
        field(node, "chosen", file, line),
        field(node, "rejected", file, line),
        node.path("subset").asText("all"));
  }

  private static String field(JsonNode node, String name, Path file, int line) {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException(
          file + " line " + line + " has no \"" + name + "\" (need id, prompt, chosen, rejected)");
    }
    return value.asText();
  }
}
