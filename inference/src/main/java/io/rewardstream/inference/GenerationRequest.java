package io.rewardstream.inference;

/**
 * One prompt to continue, possibly several times.
 *
 * <p>Each sample has its own seed, so the same request gives the same tokens whatever else is in
 * the batch, and N samples of one prompt give the same tokens as N one-sample requests with those
 * seeds (the prefill is shared, the randomness is not).
 *
 * @param promptIds token ids of the prompt, BOS included when the model wants it
 * @param sampleSeeds one seed per sample; the number of samples is its length
 * @param params sampling and stopping rules for every sample
 */
public record GenerationRequest(int[] promptIds, long[] sampleSeeds, SamplingParams params) {

  public GenerationRequest {
    if (promptIds.length == 0) {
      throw new IllegalArgumentException("prompt must have at least one token");
    }
    if (sampleSeeds.length == 0) {
      throw new IllegalArgumentException("a request needs at least one sample seed");
    }
  }

  public int samples() {
    return sampleSeeds.length;
  }
}
