package io.rewardstream.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-written ONNX protobuf loads in ONNX Runtime and computes A × B with the seeded B. */
class MatMulGraphTest {

  @Test
  void onnxRuntimeRunsTheGraphAndMultiplies() throws Exception {
    // given a 2x3 input and the graph's 3x4 weight, regenerated from the same seed
    int m = 2;
    int k = 3;
    int n = 4;
    float[] a = {1, 2, 3, 4, 5, 6};
    float[] b = new float[k * n];
    SplittableRandom rng = new SplittableRandom(7);
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) (rng.nextDouble() - 0.5);
    }
    float[] expected = new float[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        for (int x = 0; x < k; x++) {
          expected[i * n + j] += a[i * k + x] * b[x * n + j];
        }
      }
    }
    // when ORT runs the graph
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    FloatBuffer input =
        ByteBuffer.allocateDirect(a.length * Float.BYTES)
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    input.put(a).rewind();
    try (OrtSession session =
            env.createSession(MatMulGraph.build(m, k, n, 7), new OrtSession.SessionOptions());
        OnnxTensor tensor = OnnxTensor.createTensor(env, input, new long[] {m, k});
        OrtSession.Result result = session.run(Map.of("A", tensor))) {
      float[][] c = (float[][]) result.get(0).getValue();
      float[] flat = new float[m * n];
      for (int i = 0; i < m; i++) {
        System.arraycopy(c[i], 0, flat, i * n, n);
      }
      // then it is A × B
      assertArrayEquals(expected, flat, 1e-5f);
    }
  }
}
