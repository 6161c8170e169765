package io.rewardstream.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rewardstream.avro.ChatMessage;
import io.rewardstream.avro.RolloutPair;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rollout pairs as JSON Lines, the input of {@code rewardstream produce} and the demo's sample: one
 * JSON object per line, blank lines ignored.
 *
 * <pre>{@code
 * {"rollout_id": "r-1", "prompt": "...", "response_a": "...", "response_b": "...",
 *  "policy_version": "policy-7", "group_id": "g-1", "reference_answer": "...",
 *  "metadata": {"step": "12"}, "produced_at": 1767225600000,
 *  "messages": [{"role": "user", "content": "..."}]}
 * }</pre>
 *
 * <p>The first five fields are required strings; the others are optional. {@code produced_at} is
 * epoch milliseconds or an ISO-8601 instant (default: now); metadata values may be strings, numbers
 * or booleans (stored as text). Empty strings are accepted on purpose: the pipeline dead-letters
 * them (EMPTY_FIELD), which is how to see the dead-letter topic at work. Unknown fields are
 * refused, so a misspelt optional field is not silently dropped.
 */
public final class RolloutJsonl {

  static final List<String> REQUIRED =
      List.of("rollout_id", "prompt", "response_a", "response_b", "policy_version");
  static final List<String> OPTIONAL =
      List.of("group_id", "reference_answer", "metadata", "produced_at", "messages");

  private static final Set<String> KNOWN =
      Set.copyOf(java.util.stream.Stream.concat(REQUIRED.stream(), OPTIONAL.stream()).toList());
  private static final ObjectMapper JSON = new ObjectMapper();

  private RolloutJsonl() {}

  /**
   * Reads every line.
   *
   * @param source the name used in error messages, e.g. the file name
   * @param nowMs produced_at of lines that have none
   * @throws IllegalArgumentException naming the source, the line and the field
   */
  public static List<RolloutPair> read(BufferedReader in, String source, long nowMs) {
    return readLines(in, source, (line, where) -> parse(line, where, nowMs));
  }

  /**
   * Every non-blank line parsed; {@code parse} gets the line and where it is ("FILE line 3") for
   * its error messages.
   */
  static <T> List<T> readLines(
      BufferedReader in, String source, java.util.function.BiFunction<String, String, T> parse) {
    List<T> records = new ArrayList<>();
    try {
      String line;
      int number = 0;
      while ((line = in.readLine()) != null) {
        number++;
        if (!line.isBlank()) {
          records.add(parse.apply(line, source + " line " + number));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + source, e);
    }
    return records;
  }

  /** One line; {@code where} starts every error message ("rollouts.jsonl line 3"). */
  static RolloutPair parse(String line, String where, long nowMs) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw error(where, "is not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw error(where, "is not a JSON object");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!KNOWN.contains(name)) {
        throw error(where, "has unknown field \"" + name + "\" (known: " + known() + ")");
      }
    }
    return RolloutPair.newBuilder()
        .setRolloutId(required(node, "rollout_id", where))
        .setPrompt(required(node, "prompt", where))
        .setResponseA(required(node, "response_a", where))
        .setResponseB(required(node, "response_b", where))
        .setPolicyVersion(required(node, "policy_version", where))
        .setGroupId(optional(node, "group_id", where))
        .setReferenceAnswer(optional(node, "reference_answer", where))
        .setMetadata(metadata(node, where))
        .setProducedAt(producedAt(node, where, nowMs))
        .setMessages(messages(node, where))
        .build();
  }

  static String required(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw error(where, "has no \"" + field + "\" (required: " + requiredHere(field) + ")");
    }
    return text(value, field, where);
  }

  private static String requiredHere(String field) {
    return REQUIRED.contains(field) ? String.join(", ", REQUIRED) : "role, content";
  }

  static String optional(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : text(value, field, where);
  }

  static String text(JsonNode value, String field, String where) {
    if (!value.isTextual()) {
      throw error(
          where, "field \"" + field + "\" must be a string, got " + kind(value) + " " + value);
    }
    return value.textValue();
  }

  static Map<String, String> metadata(JsonNode node, String where) {
    JsonNode value = node.get("metadata");
    Map<String, String> metadata = new LinkedHashMap<>();
    if (value == null || value.isNull()) {
      return metadata;
    }
    if (!value.isObject()) {
      throw error(where, "field \"metadata\" must be an object of strings, got " + kind(value));
    }
    value
        .properties()
        .forEach(
            entry -> {
              if (!entry.getValue().isValueNode() || entry.getValue().isNull()) {
                throw error(
                    where,
                    "metadata \""
                        + entry.getKey()
                        + "\" must be a string, number or boolean, got "
                        + kind(entry.getValue()));
              }
              metadata.put(entry.getKey(), entry.getValue().asText());
            });
    return metadata;
  }

  static Instant producedAt(JsonNode node, String where, long nowMs) {
    JsonNode value = node.get("produced_at");
    if (value == null || value.isNull()) {
      return Instant.ofEpochMilli(nowMs);
    }
    if (value.isIntegralNumber()) {
      return Instant.ofEpochMilli(value.longValue());
    }
    if (value.isTextual()) {
      try {
        return Instant.parse(value.textValue());
      } catch (DateTimeParseException e) {
        // reported below
      }
    }
    throw error(
        where,
        "field \"produced_at\" must be epoch milliseconds or an ISO-8601 instant such as"
            + " 2026-01-01T00:00:00Z, got "
            + value);
  }

  static List<ChatMessage> messages(JsonNode node, String where) {
    JsonNode value = node.get("messages");
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isArray()) {
      throw error(where, "field \"messages\" must be an array of {role, content}");
    }
    List<ChatMessage> messages = new ArrayList<>();
    for (int i = 0; i < value.size(); i++) {
      JsonNode message = value.get(i);
      String at = where + " messages[" + i + "]";
      if (!message.isObject()) {
        throw error(at, "must be an object {role, content}, got " + kind(message));
      }
      messages.add(
          new ChatMessage(required(message, "role", at), required(message, "content", at)));
    }
    return messages;
  }

  static String kind(JsonNode value) {
    return value.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String known() {
    return String.join(", ", REQUIRED) + ", " + String.join(", ", OPTIONAL);
  }

  static IllegalArgumentException error(String where, String what) {
    return new IllegalArgumentException(where + " " + what);
  }
}
