package io.rewardstream.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.rewardstream.avro.GroupResponse;
import io.rewardstream.avro.RolloutGroup;
import io.rewardstream.avro.RolloutPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** JSON request items to Avro records; a malformed item is a 400 naming its index and field. */
final class Requests {

  private Requests() {}

  static JsonNode array(JsonNode body, String field) {
    JsonNode items = body == null ? null : body.get(field);
    if (items == null || !items.isArray() || items.isEmpty()) {
      throw new GatewayServer.BadRequest(
          "the body needs a non-empty \"" + field + "\" array, e.g. {\"" + field + "\": [...]}");
    }
    return items;
  }

  static String newId() {
    return "gw-" + UUID.randomUUID();
  }

  static List<RolloutPair> pairs(JsonNode items) {
    List<RolloutPair> pairs = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      String at = "pairs[" + i + "]";
      pairs.add(
          RolloutPair.newBuilder()
              .setRolloutId(optional(item, "rollout_id", at, newId()))
              .setPrompt(required(item, "prompt", at))
              .setResponseA(required(item, "response_a", at))
              .setResponseB(required(item, "response_b", at))
              .setPolicyVersion(optional(item, "policy_version", at, "unknown"))
              .setGroupId(optional(item, "group_id", at, null))
              .setReferenceAnswer(optional(item, "reference_answer", at, null))
              .setMetadata(metadata(item, at))
              .setProducedAt(Instant.now())
              .build());
    }
    return pairs;
  }

  static List<RolloutGroup> groups(JsonNode items) {
    List<RolloutGroup> groups = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      String at = "groups[" + i + "]";
      JsonNode responses = item.get("responses");
      if (responses == null || !responses.isArray()) {
        throw new GatewayServer.BadRequest(
            at + " needs \"responses\": an array of texts or of {response_id, text}");
      }
      List<GroupResponse> list = new ArrayList<>();
      for (int k = 0; k < responses.size(); k++) {
        JsonNode r = responses.get(k);
        String rat = at + ".responses[" + k + "]";
        list.add(
            r.isTextual()
                ? new GroupResponse("r" + k, r.textValue())
                : new GroupResponse(
                    optional(r, "response_id", rat, "r" + k), required(r, "text", rat)));
      }
      groups.add(
          RolloutGroup.newBuilder()
              .setGroupId(optional(item, "group_id", at, newId()))
              .setPrompt(required(item, "prompt", at))
              .setResponses(list)
              .setPolicyVersion(optional(item, "policy_version", at, "unknown"))
              .setReferenceAnswer(optional(item, "reference_answer", at, null))
              .setMetadata(metadata(item, at))
              .setProducedAt(Instant.now())
              .build());
    }
    return groups;
  }

  static void unique(List<String> ids, String field) {
    Set<String> seen = new HashSet<>();
    for (String id : ids) {
      if (!seen.add(id)) {
        throw new GatewayServer.BadRequest(field + " '" + id + "' appears twice in the request");
      }
    }
  }

  static String required(JsonNode item, String field, String at) {
    JsonNode value = item == null ? null : item.get(field);
    if (value == null || !value.isTextual()) {
      throw new GatewayServer.BadRequest(at + " needs a string \"" + field + "\"");
    }
    return value.textValue();
  }

  private static String optional(JsonNode item, String field, String at, String fallback) {
    JsonNode value = item.get(field);
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (!value.isTextual()) {
      throw new GatewayServer.BadRequest(at + ": \"" + field + "\" must be a string");
    }
    return value.textValue();
  }

  private static Map<String, String> metadata(JsonNode item, String at) {
    Map<String, String> metadata = new LinkedHashMap<>();
    JsonNode value = item.get("metadata");
    if (value == null || value.isNull()) {
      return metadata;
    }
    if (!value.isObject()) {
      throw new GatewayServer.BadRequest(at + ": \"metadata\" must be an object");
    }
    value.properties().forEach(e -> metadata.put(e.getKey(), e.getValue().asText()));
    return metadata;
  }
}
