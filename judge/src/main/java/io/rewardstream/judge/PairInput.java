package io.rewardstream.judge;

import java.util.List;
import java.util.Objects;

/**
 * What the judge needs of one rollout pair.
 *
 * @param rolloutId unique id; also seeds the sampling
 * @param prompt the prompt as plain text
 * @param responseA first response
 * @param responseB second response
 * @param messages the prompt in chat form, when the actor sent one (empty otherwise); a chat judge
 *     shows it instead of {@code prompt}
 */
public record PairInput(
    String rolloutId, String prompt, String responseA, String responseB, List<Turn> messages) {
  public PairInput {
    Objects.requireNonNull(rolloutId, "rolloutId");
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(responseA, "responseA");
    Objects.requireNonNull(responseB, "responseB");
    messages = messages == null ? List.of() : List.copyOf(messages);
  }

  /** One message of a chat-form prompt. */
  public record Turn(String role, String content) {
    public Turn {
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(content, "content");
    }
  }

  /** A pair with a plain-text prompt only. */
  public PairInput(String rolloutId, String prompt, String responseA, String responseB) {
    this(rolloutId, prompt, responseA, responseB, List.of());
  }
}
