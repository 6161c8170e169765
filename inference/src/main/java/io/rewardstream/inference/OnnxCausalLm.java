package io.rewardstream.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One ONNX Runtime session of a decoder-only causal LM in optimum's "text-generation-with-past"
 * layout, and its forward pass. The layout (layer count, KV heads, head size) is read from the
 * session, never assumed; a graph that does not fit says which input is wrong.
 *
 * <p>One long-lived instance per device; not thread-safe (the generator drives it from one thread).
 */
final class OnnxCausalLm implements AutoCloseable {

  static final String INPUT_IDS = "input_ids";
  static final String ATTENTION_MASK = "attention_mask";
  static final String POSITION_IDS = "position_ids";
  static final String LOGITS = "logits";

  private final OrtEnvironment env;
  private final OrtSession session;
  private final KvLayout layout;
  private final boolean takesPositionIds;

  private OnnxCausalLm(OrtEnvironment env, OrtSession session, KvLayout layout, boolean pos) {
    this.env = env;
    this.session = session;
    this.layout = layout;
    this.takesPositionIds = pos;
  }

  /** Opens the model on the configured device and checks its layout. */
  static OnnxCausalLm load(Path onnxFile, InferenceOptions options) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session;
    try (OrtSession.SessionOptions so = OrtSessions.options(options)) {
      session = env.createSession(onnxFile.toString(), so);
    } catch (OrtException e) {
      throw new InferenceException("cannot open ONNX model " + onnxFile + ": " + e.getMessage(), e);
    }
    try {
      KvLayout layout = readLayout(session, onnxFile);
      boolean pos = session.getInputNames().contains(POSITION_IDS);
      return new OnnxCausalLm(env, session, layout, pos);
    } catch (OrtException | RuntimeException e) {
      closeQuietly(session);
      if (e instanceof InferenceException ie) {
        throw ie;
      }
      throw new InferenceException("cannot read the inputs of " + onnxFile, e);
    }
  }

  private static KvLayout readLayout(OrtSession session, Path file) throws OrtException {
    Map<String, NodeInfo> inputs = session.getInputInfo();
    Map<String, NodeInfo> outputs = session.getOutputInfo();
    requireTensor(inputs, INPUT_IDS, OnnxJavaType.INT64, 2, file);
    requireTensor(inputs, ATTENTION_MASK, OnnxJavaType.INT64, 2, file);
    if (inputs.containsKey(POSITION_IDS)) {
      requireTensor(inputs, POSITION_IDS, OnnxJavaType.INT64, 2, file);
    }
    requireTensor(outputs, LOGITS, OnnxJavaType.FLOAT, 3, file);
    List<String> pastKeys = new ArrayList<>();
    List<String> pastValues = new ArrayList<>();
    List<String> presentKeys = new ArrayList<>();
    List<String> presentValues = new ArrayList<>();
    for (int l = 0; inputs.containsKey("past_key_values." + l + ".key"); l++) {
      pastKeys.add("past_key_values." + l + ".key");
      pastValues.add("past_key_values." + l + ".value");
      presentKeys.add("present." + l + ".key");
      presentValues.add("present." + l + ".value");
    }
    if (pastKeys.isEmpty()) {
      throw new InferenceException(
          file
              + " has no input past_key_values.0.key: export the model with its KV cache"
              + " (optimum task text-generation-with-past); inputs are "
              + inputs.keySet());
    }
    long[] shape = null;
    for (int l = 0; l < pastKeys.size(); l++) {
      shape = requireTensor(inputs, pastKeys.get(l), OnnxJavaType.FLOAT, 4, file);
      requireTensor(inputs, pastValues.get(l), OnnxJavaType.FLOAT, 4, file);
      requireTensor(outputs, presentKeys.get(l), OnnxJavaType.FLOAT, 4, file);
      requireTensor(outputs, presentValues.get(l), OnnxJavaType.FLOAT, 4, file);
    }
    if (shape[1] <= 0 || shape[3] <= 0) {
      throw new InferenceException(
          file
              + ": input "
              + pastKeys.get(0)
              + " must have fixed kv_heads and head_dim ([batch, kv_heads, past, head_dim]),"
              + " got "
              + java.util.Arrays.toString(shape));
    }
    return new KvLayout(
        pastKeys.size(),
        (int) shape[1],
        (int) shape[3],
        List.copyOf(pastKeys),
        List.copyOf(pastValues),
        List.copyOf(presentKeys),
        List.copyOf(presentValues));
  }

  private static long[] requireTensor(
      Map<String, NodeInfo> nodes, String name, OnnxJavaType type, int rank, Path file) {
    NodeInfo node = nodes.get(name);
    if (node == null) {
      throw new InferenceException(
          file
              + " has no "
              + name
              + " (expected optimum text-generation-with-past names); it has "
              + nodes.keySet());
    }
    if (!(node.getInfo() instanceof TensorInfo info)
        || info.type != type
        || info.getShape().length != rank) {
      throw new InferenceException(
          file
              + ": "
              + name
              + " must be a rank-"
              + rank
              + " "
              + type
              + " tensor, got "
              + node.getInfo());
    }
    return info.getShape();
  }

  KvLayout layout() {
    return layout;
  }

  OrtEnvironment env() {
    return env;
  }

  /**
   * One forward pass of {@code seq} new tokens per row on top of {@code past}. Does not close
   * {@code past}.
   *
   * @param inputIds [batch, seq] token ids, row-major
   * @param attentionMask [batch, past + seq]: 1 for real tokens, 0 for left padding
   * @param positionIds [batch, seq]
   * @param keepAllLogits whether to return logits of every position, or only of the last
   * @return logits ([batch, vocab] of the last position, or [batch, seq, vocab]) and the new cache
   */
  Step forward(
      long[] inputIds,
      int batch,
      int seq,
      long[] attentionMask,
      long[] positionIds,
      KvCache past,
      boolean keepAllLogits) {
    int total = past.length() + seq;
    try (OnnxTensor ids = longTensor(inputIds, batch, seq);
        OnnxTensor mask = longTensor(attentionMask, batch, total);
        OnnxTensor pos = longTensor(positionIds, batch, seq)) {
      Map<String, OnnxTensor> inputs = new HashMap<>();
      inputs.put(INPUT_IDS, ids);
      inputs.put(ATTENTION_MASK, mask);
      if (takesPositionIds) {
        inputs.put(POSITION_IDS, pos);
      }
      past.putInputs(inputs);
      OrtSession.Result result = session.run(inputs);
      try {
        return new Step(logits(result, batch, seq, keepAllLogits), present(result, batch, total));
      } catch (RuntimeException | OrtException e) {
        result.close();
        throw e;
      }
    } catch (OrtException e) {
      throw new InferenceException(
          "forward pass failed (batch " + batch + ", seq " + seq + ", past " + past.length() + ")",
          e);
    }
  }

  private static float[] logits(OrtSession.Result result, int batch, int seq, boolean all)
      throws OrtException {
    OnnxTensor logits = (OnnxTensor) result.get(LOGITS).orElseThrow();
    int vocab = (int) logits.getInfo().getShape()[2];
    FloatBuffer buffer = logits.getFloatBuffer(); // [batch, seq, vocab]
    if (all) {
      float[] out = new float[batch * seq * vocab];
      buffer.get(0, out);
      return out;
    }
    float[] out = new float[batch * vocab]; // [batch, vocab]
    for (int b = 0; b < batch; b++) {
      buffer.get(((b * seq) + seq - 1) * vocab, out, b * vocab, vocab);
    }
    return out;
  }

  private KvCache present(OrtSession.Result result, int batch, int total) {
    OnnxTensor[] keys = new OnnxTensor[layout.layers()];
    OnnxTensor[] values = new OnnxTensor[layout.layers()];
    for (int l = 0; l < layout.layers(); l++) {
      keys[l] = tensor(result, layout.presentKeys().get(l));
      values[l] = tensor(result, layout.presentValues().get(l));
    }
    return new KvCache(layout, keys, values, total, result);
  }

  private static OnnxTensor tensor(OrtSession.Result result, String name) {
    OnnxValue value =
        result
            .get(name)
            .orElseThrow(() -> new InferenceException("the model returned no output " + name));
    return (OnnxTensor) value;
  }

  private OnnxTensor longTensor(long[] data, int rows, int cols) throws OrtException {
    LongBuffer buffer =
        ByteBuffer.allocateDirect(data.length * Long.BYTES)
            .order(ByteOrder.nativeOrder())
            .asLongBuffer();
    buffer.put(0, data);
    return OnnxTensor.createTensor(env, buffer, new long[] {rows, cols});
  }

  /**
   * Output of one forward pass.
   *
   * @param logits [batch, vocab] (last position) or [batch, seq, vocab]
   * @param cache the present KV cache, [batch, kv_heads, past + seq, head_dim] per layer
   */
  record Step(float[] logits, KvCache cache) {
    int vocab(int rows) {
      return logits.length / rows;
    }
  }

  private static void closeQuietly(OrtSession session) {
    try {
      session.close();
    } catch (OrtException ignored) {
      // already failing with a clearer error
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new InferenceException("cannot close the ONNX session", e);
    }
  }
}
