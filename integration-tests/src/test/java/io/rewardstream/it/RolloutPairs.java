package io.rewardstream.it;

import io.rewardstream.avro.ChatMessage;
import io.rewardstream.avro.RolloutPair;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deterministic, varied {@link RolloutPair} fixtures: every optional field is both set and unset
 * across a run, texts include non-ASCII and multi-line content, sizes vary.
 */
public final class RolloutPairs {

  private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

  private RolloutPairs() {}

  /**
   * The {@code i}-th fixture; the same {@code i} always gives an equal record.
   *
   * @param prefix start of the rollout id, so several batches in one topic stay distinct
   * @param i index
   * @return a pair with rollout id {@code prefix-<i>}
   */
  public static RolloutPair pair(String prefix, int i) {
    return RolloutPair.newBuilder()
        .setRolloutId(prefix + "-" + i)
        .setPrompt(prompt(i))
        .setResponseA("Answer A to #" + i + ": " + "x = 2 ".repeat(1 + i % 13))
        .setResponseB("Answer B to #" + i + " — ünïcödé ✓ 数学 😀\nsecond line")
        .setPolicyVersion("policy-" + (i % 7))
        .setProducedAt(EPOCH.plusMillis(i))
        .setMessages(i % 2 == 0 ? null : chat(i))
        .setGroupId(i % 3 == 0 ? null : "group-" + i / 4)
        .setReferenceAnswer(i % 5 == 0 ? "reference " + i : null)
        .setMetadata(metadata(i))
        .build();
  }

  private static String prompt(int i) {
    return "Solve problem " + i + ". " + "Show your work. ".repeat(i % 40);
  }

  private static List<ChatMessage> chat(int i) {
    return List.of(
        new ChatMessage("system", "You are a careful solver."), new ChatMessage("user", prompt(i)));
  }

  private static Map<String, String> metadata(int i) {
    Map<String, String> metadata = new LinkedHashMap<>();
    if (i % 4 != 0) {
      metadata.put("step", Integer.toString(i));
      metadata.put("actor", "actor-" + i % 8);
    }
    return metadata;
  }
}
