package io.rewardstream.bench;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rewardstream.inference.InferenceOptions;
import io.rewardstream.inference.OrtSessions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the time goes inside ONNX Runtime during decode: the model's own session, opened with the
 * engine's settings ({@link OrtSessions#options}) plus ORT's profiler and any extra entries, runs
 * {@code steps} decode steps (one token per row, the present cache fed back as the past, as the
 * engine does) and the profile's kernel times are summed by operator type. What is left of the wall
 * time of {@code session.run} is ORT's per-run framework cost (input binding, allocation,
 * scheduling).
 *
 * <p>A diagnostic, not a throughput figure: profiling itself costs time.
 */
public final class OrtProfileBench {

  private final Path modelFile;
  private final int threads;
  private final Map<String, String> configEntries;
  private final boolean profiling;

  /**
   * @param configEntries extra ORT session config entries (e.g. {@code
   *     session.intra_op.allow_spinning=0}) to compare against the engine's settings
   * @param profiling false: only time session.run (no profiler overhead)
   */
  public OrtProfileBench(
      Path modelDir, int threads, Map<String, String> configEntries, boolean profiling) {
    this.modelFile = modelDir.resolve("model.onnx");
    this.threads = threads;
    this.configEntries = Map.copyOf(configEntries);
    this.profiling = profiling;
  }

  /** Runs the steps under the profiler; returns the per-op-type summary. */
  public ObjectNode run(int batch, int pastLength, int steps, PrintStream out) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Path prefix = tempPrefix();
    double runMs = 0;
    String profile;
    InferenceOptions engine = new InferenceOptions(InferenceOptions.Device.CPU, threads, 0);
    try (OrtSession.SessionOptions so = OrtSessions.options(engine)) {
      for (Map.Entry<String, String> e : configEntries.entrySet()) {
        so.addConfigEntry(e.getKey(), e.getValue());
      }
      if (profiling) {
        so.enableProfiling(prefix.toString());
      }
      try (OrtSession session = env.createSession(modelFile.toString(), so)) {
        decodeSteps(env, session, batch, pastLength, Math.min(steps, 8)); // warm-up
        runMs = decodeSteps(env, session, batch, pastLength, steps);
        profile = profiling ? session.endProfiling() : null;
      }
    }
    if (!profiling) {
      ObjectNode timing = JsonNodeFactory.instance.objectNode();
      timing.put("batch", batch).put("past_length_start", pastLength).put("steps", steps);
      timing.put("session_run_ms_per_step", Stats.round(runMs / steps, 4));
      timing.putPOJO("config_entries", configEntries);
      out.printf(
          Locale.ROOT,
          "batch %d, past %d..%d, threads %d, %s: session.run %.3f ms/step%n",
          batch,
          pastLength,
          pastLength + steps,
          threads,
          configEntries,
          runMs / steps);
      return timing;
    }
    ObjectNode summary = summarize(Path.of(profile), runMs, batch, pastLength, steps);
    summary.putPOJO("config_entries", configEntries);
    print(summary, out);
    return summary;
  }

  private double decodeSteps(OrtEnvironment env, OrtSession session, int batch, int past, int steps)
      throws OrtException {
    Map<String, NodeInfo> inputs = session.getInputInfo();
    List<String> pastNames = new ArrayList<>();
    inputs.keySet().stream().filter(n -> n.startsWith("past_key_values.")).forEach(pastNames::add);
    long[] pastShape = ((TensorInfo) inputs.get(pastNames.get(0)).getInfo()).getShape();
    Map<String, OnnxTensor> cache = new HashMap<>();
    for (String name : pastNames) {
      cache.put(name, zeros(env, new long[] {batch, pastShape[1], past, pastShape[3]}));
    }
    OrtSession.Result previous = null;
    double ms = 0;
    for (int s = 0; s < steps; s++) {
      int total = past + s + 1;
      try (OnnxTensor ids = longs(env, batch, 1, 65);
          OnnxTensor mask = longs(env, batch, total, 1);
          OnnxTensor pos = longs(env, batch, 1, total - 1)) {
        Map<String, OnnxTensor> feed = new LinkedHashMap<>(cache);
        feed.put("input_ids", ids);
        feed.put("attention_mask", mask);
        if (inputs.containsKey("position_ids")) {
          feed.put("position_ids", pos);
        }
        long start = System.nanoTime();
        OrtSession.Result result = session.run(feed);
        ms += Stats.msSince(start);
        if (previous != null) {
          previous.close();
        } else {
          cache.values().forEach(OnnxTensor::close);
        }
        previous = result;
        cache = new HashMap<>();
        for (String name : pastNames) {
          String present = name.replace("past_key_values.", "present.");
          OnnxValue value = result.get(present).orElseThrow();
          cache.put(name, (OnnxTensor) value);
        }
      }
    }
    if (previous != null) {
      previous.close();
    }
    return ms;
  }

  private static ObjectNode summarize(Path profile, double runMs, int batch, int past, int steps) {
    Map<String, double[]> byOp = new HashMap<>(); // op -> {microseconds, count}
    double kernelUs = 0;
    try {
      JsonNode events = new ObjectMapper().readTree(profile.toFile());
      for (JsonNode e : events) {
        if (!"Node".equals(e.path("cat").asText())
            || !e.path("name").asText().endsWith("_kernel_time")) {
          continue;
        }
        String op = e.path("args").path("op_name").asText("?");
        double dur = e.path("dur").asDouble();
        double[] acc = byOp.computeIfAbsent(op, k -> new double[2]);
        acc[0] += dur;
        acc[1]++;
        kernelUs += dur;
      }
      Files.deleteIfExists(profile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the ORT profile " + profile, e);
    }
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("batch", batch).put("past_length_start", past).put("steps", steps);
    node.put("session_run_ms_per_step", Stats.round(runMs / steps, 4));
    node.put("kernel_ms_per_step", Stats.round(kernelUs / 1000 / steps, 4));
    ObjectNode ops = node.putObject("kernel_ms_per_step_by_op");
    byOp.entrySet().stream()
        .sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]))
        .forEach(
            e ->
                ops.putObject(e.getKey())
                    .put("ms", Stats.round(e.getValue()[0] / 1000 / steps, 4))
                    .put("calls_per_step", e.getValue()[1] / steps));
    return node;
  }

  private static void print(ObjectNode s, PrintStream out) {
    double run = s.get("session_run_ms_per_step").asDouble();
    double kernels = s.get("kernel_ms_per_step").asDouble();
    out.printf(
        Locale.ROOT,
        "batch %d, past %d..%d: session.run %.3f ms/step, of which kernels %.3f ms (%.0f%%),"
            + " framework %.3f ms%n",
        s.get("batch").asInt(),
        s.get("past_length_start").asInt(),
        s.get("past_length_start").asInt() + s.get("steps").asInt(),
        run,
        kernels,
        100 * kernels / run,
        run - kernels);
    s.get("kernel_ms_per_step_by_op")
        .properties()
        .forEach(
            e ->
                out.printf(
                    Locale.ROOT,
                    "  %-24s %9.4f ms/step %5.1f%% of run  (%.0f calls/step)%n",
                    e.getKey(),
                    e.getValue().get("ms").asDouble(),
                    100 * e.getValue().get("ms").asDouble() / run,
                    e.getValue().get("calls_per_step").asDouble()));
  }

  private static OnnxTensor zeros(OrtEnvironment env, long[] shape) throws OrtException {
    int n = Math.toIntExact(shape[0] * shape[1] * shape[2] * shape[3]);
    FloatBuffer buffer =
        ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    return OnnxTensor.createTensor(env, buffer, shape);
  }

  private static OnnxTensor longs(OrtEnvironment env, int rows, int cols, long value)
      throws OrtException {
    LongBuffer buffer =
        ByteBuffer.allocateDirect(rows * cols * Long.BYTES)
            .order(ByteOrder.nativeOrder())
            .asLongBuffer();
    for (int i = 0; i < rows * cols; i++) {
      buffer.put(i, value);
    }
    return OnnxTensor.createTensor(env, buffer, new long[] {rows, cols});
  }

  private static Path tempPrefix() {
    try {
      return Files.createTempDirectory("rewardstream-ort-profile-").resolve("ort");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for the ORT profile", e);
    }
  }
}
