package io.rewardstream.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/**
 * The key/value cache of a batch: per layer one key and one value tensor, each {@code [batch,
 * kv_heads, length, head_dim]}.
 *
 * <p>Between decode steps the cache is the previous step's {@code present.*} outputs, fed back as
 * {@code past_key_values.*} without a copy; it is then owned by that step's {@code
 * OrtSession.Result}. Only {@link #gather} and {@link #merge} copy: to share one prompt's prefill
 * among its samples, to drop finished rows and to let newly prefilled rows join a running batch.
 */
final class KvCache implements AutoCloseable {

  private final KvLayout layout;
  private final OnnxTensor[] keys; // by layer, [batch, kv_heads, length, head_dim]
  private final OnnxTensor[] values; // by layer, [batch, kv_heads, length, head_dim]
  private final int length;
  private final AutoCloseable owner; // the Result holding the tensors, or null: we close them

  KvCache(
      KvLayout layout, OnnxTensor[] keys, OnnxTensor[] values, int length, AutoCloseable owner) {
    this.layout = layout;
    this.keys = keys;
    this.values = values;
    this.length = length;
    this.owner = owner;
  }

  /** A zero-length cache for the prefill step. */
  static KvCache empty(OrtEnvironment env, KvLayout layout, int batch) {
    OnnxTensor[] keys = new OnnxTensor[layout.layers()];
    OnnxTensor[] values = new OnnxTensor[layout.layers()];
    try {
      for (int l = 0; l < layout.layers(); l++) {
        keys[l] = OnnxTensor.createTensor(env, FloatBuffer.allocate(0), layout.shape(batch, 0));
        values[l] = OnnxTensor.createTensor(env, FloatBuffer.allocate(0), layout.shape(batch, 0));
      }
    } catch (OrtException e) {
      throw new InferenceException("cannot allocate an empty KV cache for batch " + batch, e);
    }
    return new KvCache(layout, keys, values, 0, null);
  }

  int length() {
    return length;
  }

  /** Adds this cache as the {@code past_key_values.*} inputs of the next step. */
  void putInputs(Map<String, OnnxTensor> inputs) {
    for (int l = 0; l < layout.layers(); l++) {
      inputs.put(layout.pastKeys().get(l), keys[l]);
      inputs.put(layout.pastValues().get(l), values[l]);
    }
  }

  /**
   * A new cache whose row {@code i} is a copy of this cache's row {@code sourceRows[i]}. Repeating
   * a row shares a prompt's prefill among its samples; leaving rows out drops finished sequences so
   * they stop costing work. This cache stays open; the caller closes it.
   */
  KvCache gather(OrtEnvironment env, int[] sourceRows) {
    return gather(env, sourceRows, 0);
  }

  /**
   * As {@link #gather(OrtEnvironment, int[])}, also dropping the first {@code dropColumns}
   * positions of every row: left padding that no kept row needs any more. Keeps the cache inside
   * the model's context window when rows of different prompt lengths share a batch.
   */
  KvCache gather(OrtEnvironment env, int[] sourceRows, int dropColumns) {
    return merge(env, layout, List.of(new Part(this, sourceRows, dropColumns)));
  }

  /**
   * Rows taken from one cache: {@code rows} (indexes into it, repeats allowed) without its first
   * {@code drop} positions.
   */
  record Part(KvCache cache, int[] rows, int drop) {
    int length() {
      return cache.length - drop;
    }
  }

  /**
   * One cache of the parts' rows, in order: continuous batching's way of letting newly prefilled
   * sequences join a running batch. Every row is right-aligned to the longest part (its new
   * positions on the left are zeros, masked as padding), so each row's own tokens keep their
   * relative places; {@link #padAdded} says how much padding a part's rows gained. The parts'
   * caches stay open; the caller closes them.
   */
  static KvCache merge(OrtEnvironment env, KvLayout layout, List<Part> parts) {
    int length = parts.stream().mapToInt(Part::length).max().orElse(0);
    int rows = parts.stream().mapToInt(p -> p.rows.length).sum();
    OnnxTensor[] newKeys = new OnnxTensor[layout.layers()];
    OnnxTensor[] newValues = new OnnxTensor[layout.layers()];
    try {
      for (int l = 0; l < layout.layers(); l++) {
        final int layer = l;
        newKeys[l] = copyRows(env, layout, parts, p -> p.cache.keys[layer], rows, length);
        newValues[l] = copyRows(env, layout, parts, p -> p.cache.values[layer], rows, length);
      }
    } catch (OrtException e) {
      throw new InferenceException("cannot copy a KV cache of " + rows + " rows", e);
    }
    return new KvCache(layout, newKeys, newValues, length, null);
  }

  /** Left padding a part's rows gain in a {@link #merge} of these parts. */
  static int padAdded(List<Part> parts, Part part) {
    return parts.stream().mapToInt(Part::length).max().orElse(0) - part.length();
  }

  private static OnnxTensor copyRows(
      OrtEnvironment env,
      KvLayout layout,
      List<Part> parts,
      java.util.function.Function<Part, OnnxTensor> tensorOf,
      int rows,
      int length)
      throws OrtException {
    int newRowFloats = Math.toIntExact(layout.rowFloats(length));
    int headDim = layout.headDim();
    FloatBuffer target = // [rows, kv_heads, length, head_dim], zero where a row gained padding
        ByteBuffer.allocateDirect(rows * newRowFloats * Float.BYTES)
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    int i = 0;
    for (Part part : parts) {
      FloatBuffer source = tensorOf.apply(part).getFloatBuffer(); // [batch, kv_heads, len, hd]
      int oldLength = part.cache.length;
      int rowFloats = Math.toIntExact(layout.rowFloats(oldLength));
      int kept = part.length();
      int pad = length - kept;
      for (int row : part.rows) {
        if (pad == 0 && part.drop == 0) {
          target.put(i * newRowFloats, source, row * rowFloats, rowFloats);
        } else {
          for (int h = 0; h < layout.kvHeads(); h++) {
            int from = row * rowFloats + (h * oldLength + part.drop) * headDim;
            int to = i * newRowFloats + (h * length + pad) * headDim;
            target.put(to, source, from, kept * headDim);
          }
        }
        i++;
      }
    }
    return OnnxTensor.createTensor(env, target, layout.shape(rows, length));
  }

  @Override
  public void close() {
    try {
      if (owner != null) {
        owner.close();
        return;
      }
      for (int l = 0; l < keys.length; l++) {
        keys[l].close();
        values[l].close();
      }
    } catch (Exception e) {
      throw new InferenceException("cannot release the KV cache", e);
    }
  }
}
