package io.rewardstream.judge;

import java.util.Objects;

/**
 * What the judge needs of one rollout pair.
 *
 * @param rolloutId unique id; also seeds the sampling
 * @param prompt the prompt as plain text
 * @param responseA first response
 * @param responseB second response
 */
public record PairInput(String rolloutId, String prompt, String responseA, String responseB) {
  public PairInput {
    Objects.requireNonNull(rolloutId, "rolloutId");
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(responseA, "responseA");
    Objects.requireNonNull(responseB, "responseB");
  }
}
