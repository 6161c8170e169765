package io.rewardstream.scoring;

import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.judge.Judge;
import io.rewardstream.judge.PairInput;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
    if (key == null) {
      return Optional.empty();
    }
    String text = new String(key, StandardCharsets.UTF_8);
    if (text.equals(pair.getRolloutId())) {
      return Optional.empty();
    }
    return Optional.of(
        new Rejection(
            DeadLetterReason.KEY_MISMATCH,
            "record key '"
                + abbreviate(text)
                + "' is not the rollout_id '"
                + abbreviate(pair.getRolloutId())
                + "'; key each record by its rollout_id"));
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
