package io.rewardstream.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * The key/value cache of a batch: per layer one key and one value tensor, each {@code [batch,
 * kv_heads, length, head_dim]}.
 *
 * <p>Between decode steps the cache is the previous step's {@code present.*} outputs, fed back as
 * {@code past_key_values.*} without a copy; it is then owned by that step's {@code
 * OrtSession.Result}. Only {@link #gather} copies: to share one prompt's prefill among its samples
 * and to drop finished rows.
 */
final class KvCache implements AutoCloseable {

  private final KvLayout layout;
  private final OnnxTensor[] keys; // by layer, [batch, kv_heads, length, head_dim]
  private final OnnxTensor[] values; // by layer, [batch, kv_heads, length, head_dim]
  private final int batch;
  private final int length;
  private final AutoCloseable owner; // the Result holding the tensors, or null: we close them

  KvCache(
      KvLayout layout,
      OnnxTensor[] keys,
      OnnxTensor[] values,
      int batch,
      int length,
      AutoCloseable owner) {
    this.layout = layout;
    this.keys = keys;
    this.values = values;
    this.batch = batch;
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
    return new KvCache(layout, keys, values, batch, 0, null);
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
    OnnxTensor[] newKeys = new OnnxTensor[layout.layers()];
    OnnxTensor[] newValues = new OnnxTensor[layout.layers()];
    try {
      for (int l = 0; l < layout.layers(); l++) {
        newKeys[l] = gatherRows(env, keys[l], sourceRows, dropColumns);
        newValues[l] = gatherRows(env, values[l], sourceRows, dropColumns);
      }
    } catch (OrtException e) {
      throw new InferenceException("cannot copy the KV cache of batch " + batch, e);
    }
    return new KvCache(layout, newKeys, newValues, sourceRows.length, length - dropColumns, null);
  }

  private OnnxTensor gatherRows(OrtEnvironment env, OnnxTensor tensor, int[] rows, int drop)
      throws OrtException {
    int newLength = length - drop;
    int rowFloats = Math.toIntExact(layout.rowFloats(length));
    int newRowFloats = Math.toIntExact(layout.rowFloats(newLength));
    int headDim = layout.headDim();
    FloatBuffer source = tensor.getFloatBuffer(); // [batch, kv_heads, length, head_dim]
    FloatBuffer target = // [rows, kv_heads, length - drop, head_dim]
        ByteBuffer.allocateDirect(rows.length * newRowFloats * Float.BYTES)
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    for (int i = 0; i < rows.length; i++) {
      if (drop == 0) {
        target.put(i * newRowFloats, source, rows[i] * rowFloats, rowFloats);
        continue;
      }
      for (int h = 0; h < layout.kvHeads(); h++) {
        int from = rows[i] * rowFloats + (h * length + drop) * headDim;
        int to = i * newRowFloats + h * newLength * headDim;
        target.put(to, source, from, newLength * headDim);
      }
    }
    return OnnxTensor.createTensor(env, target, layout.shape(rows.length, newLength));
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
