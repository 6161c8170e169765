package io.rewardstream.inference;

import java.util.List;

/**
 * The key/value-cache layout of a decoder exported in optimum's "text-generation-with-past" form,
 * read from the ONNX session's own input and output metadata.
 *
 * @param layers number of decoder layers (pairs of {@code past_key_values.{i}.key|value})
 * @param kvHeads key/value heads (fewer than attention heads in grouped-query models)
 * @param headDim size of one head
 * @param pastKeys input names {@code past_key_values.{i}.key}, by layer
 * @param pastValues input names {@code past_key_values.{i}.value}, by layer
 * @param presentKeys output names {@code present.{i}.key}, by layer
 * @param presentValues output names {@code present.{i}.value}, by layer
 */
record KvLayout(
    int layers,
    int kvHeads,
    int headDim,
    List<String> pastKeys,
    List<String> pastValues,
    List<String> presentKeys,
    List<String> presentValues) {

  /** Floats of one batch row of one layer's key (or value) tensor at the given cache length. */
  long rowFloats(int length) {
    return (long) kvHeads * length * headDim;
  }

  /** Shape {@code [batch, kv_heads, length, head_dim]}. */
  long[] shape(int batch, int length) {
    return new long[] {batch, kvHeads, length, headDim};
  }
}
