package io.rewardstream.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What this machine's cores can do, measured with the same ONNX Runtime (MLAS) kernels the model
 * runs on: a one-node MatMul graph ({@link MatMulGraph}) with the weight as an initializer.
 *
 * <ul>
 *   <li>A square 1024³ GEMM: the compute ceiling in GFLOP/s.
 *   <li>A 4096×4096 weight (64 MiB, far larger than the caches) times 1 and 8 rows: decode's shape,
 *       bound by streaming the weight from memory; reported as GB/s of weight read.
 * </ul>
 */
public final class MatmulBench {

  /** One shape's result: {@code A[m,k] × B[k,n]}, ms per call of each repeat. */
  public record Result(int m, int k, int n, List<Double> msPerCall) {
    double flops() {
      return 2.0 * m * k * n;
    }

    double weightBytes() {
      return (double) k * n * Float.BYTES;
    }

    public double gflops() {
      return flops() / (Stats.median(msPerCall) / 1000.0) / 1e9;
    }

    /** Weight bytes read per second (each call reads B once). */
    public double weightGbPerSecond() {
      return weightBytes() / (Stats.median(msPerCall) / 1000.0) / 1e9;
    }
  }

  /** The shapes measured: {m, k, n}. */
  static final int[][] SHAPES = {{1024, 1024, 1024}, {1, 4096, 4096}, {8, 4096, 4096}};

  private final int threads;
  private final int repeats;

  public MatmulBench(int threads, int repeats) {
    this.threads = threads;
    this.repeats = repeats;
  }

  /** Runs every shape. */
  public List<Result> run() throws OrtException {
    List<Result> out = new ArrayList<>();
    for (int[] s : SHAPES) {
      out.add(run(s[0], s[1], s[2]));
    }
    return out;
  }

  private Result run(int m, int k, int n) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      if (threads > 0) {
        so.setIntraOpNumThreads(threads);
      }
      try (OrtSession session = env.createSession(MatMulGraph.build(m, k, n, 7), so);
          OnnxTensor a = input(env, m, k)) {
        Map<String, OnnxTensor> inputs = Map.of("A", a);
        int calls = callsFor(session, inputs);
        List<Double> ms = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
          long start = System.nanoTime();
          for (int c = 0; c < calls; c++) {
            session.run(inputs).close();
          }
          ms.add(Stats.msSince(start) / calls);
        }
        return new Result(m, k, n, ms);
      }
    }
  }

  /** Warms up and picks a call count that makes one repeat last about 300 ms. */
  private static int callsFor(OrtSession session, Map<String, OnnxTensor> inputs)
      throws OrtException {
    for (int i = 0; i < 3; i++) {
      session.run(inputs).close();
    }
    long start = System.nanoTime();
    session.run(inputs).close();
    double ms = Math.max(Stats.msSince(start), 0.01);
    return (int) Math.max(3, Math.min(10_000, 300 / ms));
  }

  private static OnnxTensor input(OrtEnvironment env, int m, int k) throws OrtException {
    FloatBuffer buffer =
        ByteBuffer.allocateDirect(m * k * Float.BYTES)
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    for (int i = 0; i < m * k; i++) {
      buffer.put(i, (i % 7) * 0.1f);
    }
    return OnnxTensor.createTensor(env, buffer, new long[] {m, k});
  }

  /** Console table. */
  public static void print(List<Result> results, PrintStream out) {
    out.printf(
        Locale.ROOT,
        "%-22s %12s %10s %14s%n",
        "A[m,k] x B[k,n]",
        "ms/call",
        "GFLOP/s",
        "weight GB/s");
    for (Result r : results) {
      out.printf(
          Locale.ROOT,
          "%-22s %12.4f %10.1f %14.2f%n",
          "[" + r.m() + "," + r.k() + "]x[" + r.k() + "," + r.n() + "]",
          Stats.median(r.msPerCall()),
          r.gflops(),
          r.weightGbPerSecond());
    }
  }

  /** JSON with the raw repeats. */
  public ObjectNode json(List<Result> results) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("engine", "ONNX Runtime Java, one MatMul node, weight as initializer");
    node.put("intra_op_threads", threads).put("repeats", repeats);
    ArrayNode rows = node.putArray("shapes");
    for (Result r : results) {
      ObjectNode row = rows.addObject();
      row.put("m", r.m()).put("k", r.k()).put("n", r.n());
      row.put("median_ms_per_call", Stats.round(Stats.median(r.msPerCall()), 5));
      row.put("gflops", Stats.round(r.gflops(), 2));
      row.put("weight_gb_per_s", Stats.round(r.weightGbPerSecond(), 3));
      r.msPerCall().forEach(row.putArray("ms_per_call")::add);
    }
    return node;
  }
}
