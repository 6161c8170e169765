package io.rewardstream.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rewardstream.avro.ChatMessage;
import io.rewardstream.avro.GroupChatMessage;
import io.rewardstream.avro.GroupResponse;
import io.rewardstream.avro.RolloutGroup;
import java.io.BufferedReader;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Rollout groups as JSON Lines, the input of {@code rewardstream produce --groups}: one JSON object
 * per line, blank lines ignored.
 *
 * <pre>{@code
 * {"group_id": "g-1", "prompt": "...", "responses": [{"response_id": "a", "text": "..."}, ...],
 *  "policy_version": "policy-7", "reference_answer": "...", "metadata": {"step": "12"},
 *  "produced_at": 1767225600000, "messages": [{"role": "user", "content": "..."}]}
 * }</pre>
 *
 * <p>{@code group_id} (or {@code id}), {@code prompt} and {@code responses} are required; a
 * response is an object with {@code text} and an optional {@code response_id} (default {@code
 * r<index>}), or just a string. {@code policy_version} defaults to {@code unversioned}. The
 * evaluation files' {@code subset} and per-response {@code correct} are accepted and not sent, so
 * {@code models/judge-tiny/heldout-groups8.jsonl} can be produced as it is. Other unknown fields
 * are refused.
 */
final class GroupJsonl {

  static final String DEFAULT_POLICY_VERSION = "unversioned";

  private static final Set<String> KNOWN =
      Set.of(
          "group_id",
          "id",
          "prompt",
          "responses",
          "policy_version",
          "reference_answer",
          "metadata",
          "produced_at",
          "messages",
          "subset");
  private static final Set<String> KNOWN_RESPONSE = Set.of("response_id", "text", "correct");
  private static final ObjectMapper JSON = new ObjectMapper();

  private GroupJsonl() {}

  /**
   * Reads every line.
   *
   * @throws IllegalArgumentException naming the source, the line and the field
   */
  static List<RolloutGroup> read(BufferedReader in, String source, long nowMs) {
    return RolloutJsonl.readLines(in, source, (line, where) -> parse(line, where, nowMs));
  }

  static RolloutGroup parse(String line, String where, long nowMs) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw RolloutJsonl.error(where, "is not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw RolloutJsonl.error(where, "is not a JSON object");
    }
    refuseUnknown(node, KNOWN, where);
    String id = RolloutJsonl.optional(node, "group_id", where);
    if (id == null) {
      id = RolloutJsonl.optional(node, "id", where);
    }
    if (id == null) {
      throw RolloutJsonl.error(
          where, "has no \"group_id\" (required: group_id, prompt, responses)");
    }
    String policy = RolloutJsonl.optional(node, "policy_version", where);
    List<ChatMessage> messages = RolloutJsonl.messages(node, where);
    return RolloutGroup.newBuilder()
        .setGroupId(id)
        .setPrompt(required(node, "prompt", where, "group_id, prompt, responses"))
        .setResponses(responses(node, where))
        .setPolicyVersion(policy == null ? DEFAULT_POLICY_VERSION : policy)
        .setReferenceAnswer(RolloutJsonl.optional(node, "reference_answer", where))
        .setMetadata(RolloutJsonl.metadata(node, where))
        .setProducedAt(RolloutJsonl.producedAt(node, where, nowMs))
        .setMessages(
            messages == null
                ? null
                : messages.stream()
                    .map(m -> new GroupChatMessage(m.getRole(), m.getContent()))
                    .toList())
        .build();
  }

  private static List<GroupResponse> responses(JsonNode node, String where) {
    JsonNode value = node.get("responses");
    if (value == null || !value.isArray()) {
      throw RolloutJsonl.error(
          where, "field \"responses\" must be an array of {response_id, text} or of strings");
    }
    List<GroupResponse> responses = new ArrayList<>();
    for (int k = 0; k < value.size(); k++) {
      JsonNode r = value.get(k);
      String at = where + " responses[" + k + "]";
      if (r.isTextual()) {
        responses.add(new GroupResponse("r" + k, r.textValue()));
        continue;
      }
      if (!r.isObject()) {
        throw RolloutJsonl.error(at, "must be a string or an object {response_id, text}");
      }
      refuseUnknown(r, KNOWN_RESPONSE, at);
      String responseId = RolloutJsonl.optional(r, "response_id", at);
      responses.add(
          new GroupResponse(
              responseId == null ? "r" + k : responseId, required(r, "text", at, "text")));
    }
    return responses;
  }

  private static String required(JsonNode node, String field, String where, String all) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw RolloutJsonl.error(where, "has no \"" + field + "\" (required: " + all + ")");
    }
    return RolloutJsonl.text(value, field, where);
  }

  private static void refuseUnknown(JsonNode node, Set<String> known, String where) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        throw RolloutJsonl.error(
            where, "has unknown field \"" + name + "\" (known: " + String.join(", ", known) + ")");
      }
    }
  }
}
