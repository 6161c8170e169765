package io.rewardstream.scoring;

import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.GroupResponse;
import io.rewardstream.avro.RolloutGroup;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.judge.Judge;
import io.rewardstream.judge.PairInput;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why an input record is dead-lettered instead of scored.
 *
 * @param code the machine-readable reason
 * @param reason a human-readable reason naming the field, length or limit
 */
public record Rejection(DeadLetterReason code, String reason) {

  /** Fields the judge and the result need; each must be present and not blank. */
  public static final List<String> REQUIRED_FIELDS =
      List.of("rollout_id", "prompt", "response_a", "response_b", "policy_version");

  // Avro's schema-resolution message when the writer schema lacks a field without default.
  private static final Pattern MISSING = Pattern.compile("missing required field (\\w+)");

  /** The first required field that is null (MISSING_FIELD) or blank (EMPTY_FIELD), if any. */
  public static Optional<Rejection> checkFields(RolloutPair pair) {
    for (String field : REQUIRED_FIELDS) {
      Object value = pair.get(pair.getSchema().getField(field).pos());
      if (value == null) {
        return Optional.of(
            new Rejection(DeadLetterReason.MISSING_FIELD, "field '" + field + "' is missing"));
      }
      String text = value.toString();
      if (text.isBlank()) {
        return Optional.of(
            new Rejection(
                DeadLetterReason.EMPTY_FIELD,
                "field '" + field + "' is empty (length " + text.length() + ", all blank)"));
      }
    }
    return Optional.empty();
  }

  /** Key plus value bytes of a record (null counts as empty). */
  public static long recordSize(byte[] key, byte[] value) {
    return (key == null ? 0L : key.length) + (value == null ? 0L : value.length);
  }

  /** The rejection of a record bigger than the configured limit (OVERSIZE). */
  public static Rejection oversize(long size, int limit) {
    return new Rejection(
        DeadLetterReason.OVERSIZE,
        "record is "
            + size
            + " bytes (key + value), over input.max.record.bytes="
            + limit
            + "; make the prompt, responses, messages or metadata smaller, or raise the limit"
            + " (and the topics' max.message.bytes, see docs/pipeline.md)");
  }

  /**
   * KEY_MISMATCH when the record key is set and is not the pair's rollout_id: exactly-once and the
   * duplicate checks work per partition, and only a key equal to the id puts every copy of an id on
   * the same partition. A record without a key is accepted.
   */
  public static Optional<Rejection> checkKey(byte[] key, RolloutPair pair) {
    return checkKey(key, "rollout_id", pair.getRolloutId());
  }

  /** KEY_MISMATCH when the key is set and is not the group's group_id (see the pair's check). */
  public static Optional<Rejection> checkKey(byte[] key, RolloutGroup group) {
    return checkKey(key, "group_id", group.getGroupId());
  }

  private static Optional<Rejection> checkKey(byte[] key, String field, String id) {
    if (key == null) {
      return Optional.empty();
    }
    String text = new String(key, StandardCharsets.UTF_8);
    if (text.equals(id)) {
      return Optional.empty();
    }
    return Optional.of(
        new Rejection(
            DeadLetterReason.KEY_MISMATCH,
            "record key '"
                + abbreviate(text)
                + "' is not the "
                + field
                + " '"
                + abbreviate(id)
                + "'; key each record by its "
                + field));
  }

  /**
   * The first problem of a group's fields: a missing or blank group_id, prompt or policy_version
   * (MISSING_FIELD, EMPTY_FIELD), a response count outside [2, maxSize] (GROUP_SIZE), a blank
   * response_id or text (EMPTY_FIELD), a response_id used twice (DUPLICATE_RESPONSE).
   */
  public static Optional<Rejection> checkGroup(RolloutGroup group, int maxSize) {
    for (String field : List.of("group_id", "prompt", "policy_version")) {
      Object value = group.get(group.getSchema().getField(field).pos());
      Optional<Rejection> blank = checkText(field, value);
      if (blank.isPresent()) {
        return blank;
      }
    }
    List<GroupResponse> responses = group.getResponses();
    if (responses.size() < 2 || responses.size() > maxSize) {
      return Optional.of(
          new Rejection(
              DeadLetterReason.GROUP_SIZE,
              "group has "
                  + responses.size()
                  + " responses; a group needs 2 to group.max.size="
                  + maxSize));
    }
    Map<String, Integer> seen = new HashMap<>();
    for (int k = 0; k < responses.size(); k++) {
      GroupResponse response = responses.get(k);
      String at = "responses[" + k + "]";
      Optional<Rejection> blank =
          checkText(at + ".response_id", response.getResponseId())
              .or(() -> checkText(at + ".text", response.getText()));
      if (blank.isPresent()) {
        return blank;
      }
      Integer first = seen.putIfAbsent(response.getResponseId(), k);
      if (first != null) {
        return Optional.of(
            new Rejection(
                DeadLetterReason.DUPLICATE_RESPONSE,
                "response_id '"
                    + abbreviate(response.getResponseId())
                    + "' is used by responses["
                    + first
                    + "] and responses["
                    + k
                    + "]; ids must be unique within a group"));
      }
    }
    return Optional.empty();
  }

  private static Optional<Rejection> checkText(String field, Object value) {
    if (value == null) {
      return Optional.of(
          new Rejection(DeadLetterReason.MISSING_FIELD, "field '" + field + "' is missing"));
    }
    String text = value.toString();
    return text.isBlank()
        ? Optional.of(
            new Rejection(
                DeadLetterReason.EMPTY_FIELD,
                "field '" + field + "' is empty (length " + text.length() + ", all blank)"))
        : Optional.empty();
  }

  /**
   * OVER_TOKEN_BUDGET when the longest judge prompt the group can need (its prompt with its two
   * longest responses) is over the budget.
   */
  public static Optional<Rejection> checkGroupBudget(
      Judge judge, RolloutGroup group, int configuredBudget) {
    List<GroupResponse> byLength =
        group.getResponses().stream()
            .sorted(Comparator.comparingInt((GroupResponse r) -> -r.getText().length()))
            .toList();
    PairInput longest =
        new PairInput(
            group.getGroupId(),
            group.getPrompt(),
            byLength.get(0).getText(),
            byLength.get(1).getText(),
            PairInputs.groupTurns(group.getMessages()));
    return checkBudget(judge, longest, configuredBudget)
        .map(
            r ->
                new Rejection(
                    r.code(),
                    r.reason()
                        + " (group "
                        + abbreviate(group.getGroupId())
                        + ": its prompt with its two longest responses, '"
                        + abbreviate(byLength.get(0).getResponseId())
                        + "' and '"
                        + abbreviate(byLength.get(1).getResponseId())
                        + "')"));
  }

  private static String abbreviate(String text) {
    return text.length() <= 80 ? text : text.substring(0, 80) + "...";
  }

  /**
   * The rejection of bytes that did not decode: MISSING_FIELD when the writer's schema lacks a
   * required field (Avro says so while resolving), UNDECODABLE otherwise.
   */
  public static Rejection undecodable(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      Matcher missing = t.getMessage() == null ? null : MISSING.matcher(t.getMessage());
      if (missing != null && missing.find()) {
        return new Rejection(
            DeadLetterReason.MISSING_FIELD,
            "field '" + missing.group(1) + "' is missing from the writer's schema: " + e);
      }
    }
    return new Rejection(DeadLetterReason.UNDECODABLE, "value is not a RolloutPair: " + message(e));
  }

  /**
   * The token-budget check of the pipeline and of replay: the configured budget ({@code <= 0} =
   * none) capped by what the judge itself can take. Counting errors propagate to the caller.
   */
  public static Optional<Rejection> checkBudget(Judge judge, PairInput pair, int configuredBudget) {
    int budget =
        Math.min(
            configuredBudget <= 0 ? Integer.MAX_VALUE : configuredBudget, judge.maxPromptTokens());
    if (budget == Integer.MAX_VALUE) {
      return Optional.empty();
    }
    int tokens = judge.promptTokens(pair);
    return tokens > budget
        ? Optional.of(overBudget(pair.rolloutId(), tokens, budget))
        : Optional.empty();
  }

  /** The token-budget rejection, naming the count and the limit. */
  public static Rejection overBudget(String rolloutId, int tokens, int budget) {
    return new Rejection(
        DeadLetterReason.OVER_TOKEN_BUDGET,
        "judge prompt for rollout '"
            + rolloutId
            + "' (prompt + both responses) is "
            + tokens
            + " tokens, over judge.max.prompt.tokens="
            + budget
            + " (capped by the judge's own context); shorten the texts or use a larger judge");
  }

  private static String message(Exception e) {
    return e.getMessage() == null ? e.getClass().getName() : e.getMessage();
  }
}
