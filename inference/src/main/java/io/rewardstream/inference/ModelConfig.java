package io.rewardstream.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The engine's part of {@code judge.json}: identity, special tokens and the context window. The
 * judging part (templates, verdict patterns) is read by the judge package from the same file.
 *
 * @param id model id
 * @param version model/judge version
 * @param bosTokenId beginning-of-sequence id, or -1
 * @param eosTokenId end-of-sequence id (generation stops on it)
 * @param padTokenId id fed for left padding and for finished rows
 * @param addBos whether prompts start with BOS
 * @param maxContext most positions (prompt + generated) the model supports
 */
public record ModelConfig(
    String id,
    String version,
    int bosTokenId,
    int eosTokenId,
    int padTokenId,
    boolean addBos,
    int maxContext) {

  /** The file name the engine and the judge read next to the model. */
  public static final String FILE_NAME = "judge.json";

  static ModelConfig read(Path file, ObjectMapper json) {
    JsonNode root;
    try {
      root = json.readTree(file.toFile());
    } catch (IOException e) {
      throw new InferenceException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return new ModelConfig(
        required(root, "id", file).asText(),
        required(root, "version", file).asText(),
        root.path("bos_token_id").asInt(-1),
        required(root, "eos_token_id", file).asInt(),
        required(root, "pad_token_id", file).asInt(),
        root.path("add_bos").asBoolean(false),
        required(root, "max_context", file).asInt());
  }

  private static JsonNode required(JsonNode root, String key, Path file) {
    JsonNode node = root.get(key);
    if (node == null || node.isNull()) {
      throw new InferenceException(
          file + " has no \"" + key + "\": add it (see docs/judge.md, Model contract)");
    }
    return node;
  }

  static Path requireFile(Path dir, String name, String what) {
    Path file = dir.resolve(name);
    if (!Files.isRegularFile(file)) {
      throw new InferenceException(
          "model directory "
              + dir.toAbsolutePath()
              + " has no "
              + name
              + " ("
              + what
              + "); point --judge-dir / judge.dir at a directory with model.onnx, tokenizer.json"
              + " and judge.json");
    }
    return file;
  }
}
