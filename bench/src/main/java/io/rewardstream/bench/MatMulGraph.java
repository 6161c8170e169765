package io.rewardstream.bench;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * A one-node ONNX model, {@code C[m,n] = A[m,k] × B[k,n]} with B a float32 initializer (a weight,
 * so ONNX Runtime may pre-pack it exactly as it does the model's weights), written as protobuf
 * bytes by hand: the benchmark needs no Python and no protobuf library for one MatMul.
 *
 * <p>Field numbers are those of onnx.proto (ModelProto, GraphProto, NodeProto, ValueInfoProto,
 * TypeProto, TensorShapeProto, TensorProto).
 */
final class MatMulGraph {

  private static final int FLOAT = 1; // TensorProto.DataType.FLOAT
  private static final int IR_VERSION = 8;
  private static final int OPSET = 14;

  private MatMulGraph() {}

  /** The model bytes for {@code ONNX Runtime createSession(byte[])}. */
  static byte[] build(int m, int k, int n, long seed) {
    Proto node = new Proto();
    node.string(1, "A").string(1, "B").string(2, "C").string(3, "matmul").string(4, "MatMul");
    Proto graph = new Proto();
    graph.message(1, node).string(2, "matmul-bench");
    graph.message(5, weight(k, n, seed));
    graph.message(11, valueInfo("A", m, k)).message(12, valueInfo("C", m, n));
    Proto opset = new Proto().string(1, "").varint(2, OPSET);
    Proto model = new Proto();
    model.varint(1, IR_VERSION).string(2, "rewardstream-bench").message(7, graph);
    model.message(8, opset);
    return model.bytes();
  }

  private static Proto weight(int k, int n, long seed) {
    ByteBuffer raw = ByteBuffer.allocate(k * n * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = 0; i < k * n; i++) {
      raw.putFloat((float) (rng.nextDouble() - 0.5));
    }
    Proto tensor = new Proto().varint(1, k).varint(1, n).varint(2, FLOAT).string(8, "B");
    return tensor.bytes(9, raw.array());
  }

  private static Proto valueInfo(String name, int rows, int cols) {
    Proto shape = new Proto();
    shape.message(1, new Proto().varint(1, rows)).message(1, new Proto().varint(1, cols));
    Proto tensorType = new Proto().varint(1, FLOAT).message(2, shape);
    Proto type = new Proto().message(1, tensorType);
    return new Proto().string(1, name).message(2, type);
  }

  /** A protobuf message being written: varint and length-delimited fields only. */
  private static final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Proto varint(int field, long value) {
      raw((long) field << 3);
      raw(value);
      return this;
    }

    Proto string(int field, String value) {
      return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Proto message(int field, Proto value) {
      return bytes(field, value.bytes());
    }

    Proto bytes(int field, byte[] value) {
      raw(((long) field << 3) | 2);
      raw(value.length);
      out.writeBytes(value);
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }

    private void raw(long value) {
      while ((value & ~0x7FL) != 0) {
        out.write((int) ((value & 0x7F) | 0x80));
        value >>>= 7;
      }
      out.write((int) value);
    }
  }
}
