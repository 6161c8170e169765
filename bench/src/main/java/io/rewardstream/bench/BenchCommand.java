package io.rewardstream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rewardstream.cli.ToolCommand;
import io.rewardstream.inference.InferenceOptions;
import io.rewardstream.inference.LanguageModel;
import io.rewardstream.judge.JudgeOptions;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.ReflectiveJudge;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rewardstream bench}: the speed figures of BENCHMARKS.md. Each subcommand warms up, times
 * repeated runs, prints medians and optionally writes them (with every repeat, the command line and
 * the machine) as JSON. Speed targets live here, never in timed unit tests.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmarks: decode throughput, shared-prefix sampling, judge pairs/s per mode, pipeline"
          + " overhead/ceiling/latency on an embedded broker, and this machine's matmul rate.",
      "Every figure is a median of --repeats runs after a warm-up; see BENCHMARKS.md."
    },
    subcommands = {
      BenchCommand.Decode.class,
      BenchCommand.Prefix.class,
      BenchCommand.Schedule.class,
      BenchCommand.JudgeModes.class,
      BenchCommand.Pipeline.class,
      BenchCommand.Gateway.class,
      BenchCommand.Matmul.class,
      BenchCommand.OrtProfile.class
    })
public final class BenchCommand implements Runnable, ToolCommand {

  @Spec private CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options every benchmark takes. */
  static final class Common {
    @Option(
        names = "--repeats",
        paramLabel = "N",
        defaultValue = "5",
        description =
            "Timed repeats after the warm-up; figures are medians (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    Path json;

    @Option(
        names = "--threads",
        paramLabel = "N",
        defaultValue = "0",
        description =
            "ONNX Runtime intra-op threads, 0 = its default (all cores) (default: ${DEFAULT-VALUE}).")
    int threads;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    void check() {
      if (repeats < 1) {
        throw new IllegalArgumentException("--repeats must be >= 1, got " + repeats);
      }
    }

    InferenceOptions inference() {
      return new InferenceOptions(InferenceOptions.Device.CPU, threads, 0);
    }

    /** Prints the machine line; returns the JSON envelope with the command and machine. */
    ObjectNode start(String what) {
      check();
      System.out.println("machine: " + MachineInfo.describe());
      ObjectNode root = new ObjectMapper().createObjectNode();
      root.put("benchmark", what);
      root.put(
          "command",
          "./rewardstream "
              + String.join(" ", spec.root().commandLine().getParseResult().originalArgs()));
      root.put("started_at", Instant.now().toString());
      root.put("intra_op_threads", threads);
      root.set("machine", MachineInfo.json());
      return root;
    }

    /** Adds the load at the end and writes the JSON file if asked. */
    void finish(ObjectNode root) {
      root.put("load_average_1m_at_end", MachineInfo.loadAverage());
      root.put("finished_at", Instant.now().toString());
      if (json == null) {
        return;
      }
      try {
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), root);
        System.out.println("wrote " + json);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write --json " + json, e);
      }
    }
  }

  @Command(
      name = "decode",
      mixinStandardHelpOptions = true,
      description =
          "Greedy decode tokens/s of the engine at each batch size (fixed prompt, no stop).")
  static final class Decode implements Callable<Integer> {
    @Mixin Common common;

    @Option(names = "--model-dir", defaultValue = "models/judge-tiny", paramLabel = "DIR")
    Path modelDir;

    @Option(names = "--batch", split = ",", defaultValue = "1,8,32", paramLabel = "N[,N...]")
    List<Integer> batches;

    @Option(names = "--prompt-tokens", defaultValue = "64", paramLabel = "N")
    int promptTokens;

    @Option(names = "--new-tokens", defaultValue = "64", paramLabel = "N")
    int newTokens;

    @Option(
        names = "--stop-at-eos",
        description =
            "Stop a row at EOS as the judge does; by default every row runs all --new-tokens"
                + " steps, like bench/torch_decode.py, so the two compare step for step.")
    boolean stopAtEos;

    @Override
    public Integer call() {
      ObjectNode root = common.start("decode");
      root.put("model_dir", modelDir.toString());
      root.put("stop_at_eos", stopAtEos);
      try (LanguageModel model = LanguageModel.load(modelDir, common.inference())) {
        DecodeBench bench =
            new DecodeBench(model, promptTokens, newTokens, common.repeats, !stopAtEos);
        List<DecodeBench.Result> results = new ArrayList<>();
        for (int batch : batches) {
          results.add(bench.run(batch));
          System.err.println("batch " + batch + " done");
        }
        bench.print(results, System.out);
        root.set("results", bench.json(results));
      }
      common.finish(root);
      return 0;
    }
  }

  @Command(
      name = "prefix",
      mixinStandardHelpOptions = true,
      description = "N samples of one prompt: prefill shared (KV cache copied) vs once per sample.")
  static final class Prefix implements Callable<Integer> {
    @Mixin Common common;

    @Option(names = "--model-dir", defaultValue = "models/judge-tiny", paramLabel = "DIR")
    Path modelDir;

    @Option(names = "--samples", defaultValue = "8", paramLabel = "N")
    int samples;

    @Option(names = "--new-tokens", defaultValue = "64", paramLabel = "N")
    int newTokens;

    @Option(names = "--temperature", defaultValue = "1.0", paramLabel = "T")
    double temperature;

    @Override
    public Integer call() {
      ObjectNode root = common.start("prefix");
      root.put("model_dir", modelDir.toString());
      try (LanguageModel model = LanguageModel.load(modelDir, common.inference())) {
        PrefixBench bench = new PrefixBench(model, samples, newTokens, temperature, common.repeats);
        PrefixBench.Result result = bench.run();
        bench.print(result, System.out);
        root.set("results", bench.json(result));
      }
      common.finish(root);
      return 0;
    }
  }

  @Command(
      name = "schedule",
      mixinStandardHelpOptions = true,
      description =
          "Static vs continuous batching: useful tokens/s on sequences of mixed lengths (seeded,"
              + " EOS ignored), at each row limit.")
  static final class Schedule implements Callable<Integer> {
    @Mixin Common common;

    @Option(names = "--model-dir", defaultValue = "models/judge-tiny", paramLabel = "DIR")
    Path modelDir;

    @Option(names = "--rows", split = ",", defaultValue = "8,32", paramLabel = "N[,N...]")
    List<Integer> rows;

    @Option(names = "--sequences", defaultValue = "64", paramLabel = "N")
    int sequences;

    @Option(names = "--prompt-tokens", defaultValue = "64", paramLabel = "N")
    int promptTokens;

    @Option(names = "--min-tokens", defaultValue = "8", paramLabel = "N")
    int minTokens;

    @Option(names = "--max-tokens", defaultValue = "64", paramLabel = "N")
    int maxTokens;

    @Option(names = "--seed", defaultValue = "23", paramLabel = "S")
    long seed;

    @Override
    public Integer call() {
      ObjectNode root = common.start("schedule");
      root.put("model_dir", modelDir.toString());
      try (LanguageModel model = LanguageModel.load(modelDir, common.inference())) {
        ScheduleBench bench =
            new ScheduleBench(
                model, promptTokens, sequences, minTokens, maxTokens, seed, common.repeats);
        List<ScheduleBench.Result> results = new ArrayList<>();
        for (int r : rows) {
          results.add(bench.run(r));
          System.err.println("rows " + r + " done");
        }
        bench.print(results, System.out);
        root.set("results", bench.json(results));
      }
      common.finish(root);
      return 0;
    }
  }

  @Command(
      name = "judge",
      mixinStandardHelpOptions = true,
      description =
          "Judge pairs/s per mode, with generations and tokens per pair, on held-out pairs.")
  static final class JudgeModes implements Callable<Integer> {
    @Mixin Common common;

    @Option(names = "--judge-dir", defaultValue = "models/judge-tiny", paramLabel = "DIR")
    Path judgeDir;

    @Option(
        names = "--data",
        paramLabel = "FILE",
        description = "Default: JUDGE_DIR/heldout.jsonl.")
    Path data;

    @Option(names = "--modes", split = ",", defaultValue = "greedy,vote,reflect")
    List<String> modes;

    @Option(names = "--pairs", defaultValue = "32", paramLabel = "K")
    int pairs;

    @Option(names = "--batch-size", defaultValue = "8", paramLabel = "N")
    int batchSize;

    @Override
    public Integer call() {
      ObjectNode root = common.start("judge");
      Path dir = LanguageModel.resolveDir(judgeDir);
      List<PairInput> input =
          JudgeBench.heldOut(data != null ? data : dir.resolve("heldout.jsonl"), pairs);
      List<JudgeBench.Result> results = new ArrayList<>();
      for (String mode : modes) {
        JudgeOptions options = new JudgeOptions(JudgeOptions.Mode.parse(mode), 0, Double.NaN);
        try (ReflectiveJudge judge = ReflectiveJudge.open(dir, options, common.inference())) {
          results.add(JudgeBench.run(judge, mode, input, batchSize, common.repeats));
          System.err.println(mode + " done");
        }
      }
      JudgeBench.print(results, batchSize, System.out);
      root.set("results", JudgeBench.json(results, batchSize, common.repeats));
      common.finish(root);
      return 0;
    }
  }

  @Command(
      name = "pipeline",
      mixinStandardHelpOptions = true,
      description = {
        "End-to-end pairs/s through the real pipeline (embedded broker, EOS) / bare judge pairs/s,"
            + " same pairs, mode and batches; the topology's ceiling with"
            + " TrivialJudgeForBenchmarks; latency p50/p95/p99 at half the measured throughput."
      })
  static final class Pipeline implements Callable<Integer> {
    @Mixin Common common;

    @Option(names = "--judge-dir", defaultValue = "models/judge-tiny", paramLabel = "DIR")
    Path judgeDir;

    @Option(names = "--mode", defaultValue = "greedy")
    String mode;

    @Option(names = "--pairs", defaultValue = "64", paramLabel = "K")
    int pairs;

    @Option(names = "--batch-size", defaultValue = "8", paramLabel = "N")
    int batchSize;

    @Option(names = "--batch-max-wait-ms", defaultValue = "1000", paramLabel = "MS")
    long batchMaxWaitMs;

    @Option(
        names = "--partitions",
        defaultValue = "1",
        paramLabel = "N",
        description = "Partitions of each topic; 1 makes the pipeline's batches the bare judge's.")
    int partitions;

    @Option(names = "--trivial-pairs", defaultValue = "4000", paramLabel = "K")
    int trivialPairs;

    @Option(names = "--latency-seconds", defaultValue = "30", paramLabel = "S")
    double latencySeconds;

    @Option(
        names = "--set",
        paramLabel = "KEY=VALUE",
        description =
            "An app or Kafka Streams key for the pipeline runs (repeatable), e.g. --set"
                + " poll.ms=10; wins over the bench's own settings.")
    Map<String, String> appSettings = new LinkedHashMap<>();

    @Override
    public Integer call() {
      ObjectNode root = common.start("pipeline");
      Path dir = LanguageModel.resolveDir(judgeDir);
      List<PairInput> input = JudgeBench.heldOut(dir.resolve("heldout.jsonl"), pairs);
      JudgeOptions options = new JudgeOptions(JudgeOptions.Mode.parse(mode), 0, Double.NaN);
      PipelineSuite.Settings settings =
          new PipelineSuite.Settings(
              mode,
              pairs,
              batchSize,
              batchMaxWaitMs,
              partitions,
              trivialPairs,
              latencySeconds,
              common.repeats,
              common.threads,
              appSettings);
      PrintStream out = System.out;
      PipelineSuite suite =
          new PipelineSuite(
              settings, () -> ReflectiveJudge.open(dir, options, common.inference()), out);
      root.set("results", suite.run(input));
      common.finish(root);
      return 0;
    }
  }

  @Command(
      name = "gateway",
      mixinStandardHelpOptions = true,
      description = {
        "What the HTTP gateway costs: requests of K pairs sent straight to Kafka (produce, then a"
            + " read_committed consumer waits for every result) and as one POST /v1/score/pairs"
            + " to a gateway before the same scorer, alternating, one request at a time; with the"
            + " real judge and with a trivial one (the pipeline's own ceiling).",
        "Example: ./rewardstream bench gateway --sizes 64,256 --repeats 5 --json out.json"
      })
  static final class Gateway implements Callable<Integer> {
    @Mixin Common common;

    @Option(names = "--judge-dir", defaultValue = "models/judge-tiny", paramLabel = "DIR")
    Path judgeDir;

    @Option(names = "--mode", defaultValue = "greedy")
    String mode;

    @Option(
        names = "--sizes",
        split = ",",
        defaultValue = "64,256",
        paramLabel = "K",
        description = "Pairs per request with the real judge (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(
        names = "--trivial-sizes",
        split = ",",
        defaultValue = "64,256,512",
        paramLabel = "K",
        description = "Pairs per request with the trivial judge (default: ${DEFAULT-VALUE}).")
    List<Integer> trivialSizes;

    @Option(
        names = "--trivial-repeats",
        defaultValue = "20",
        paramLabel = "N",
        description =
            "Requests per path and size with the trivial judge (default: ${DEFAULT-VALUE}).")
    int trivialRepeats;

    @Option(names = "--batch-size", defaultValue = "16", paramLabel = "N")
    int batchSize;

    @Option(names = "--partitions", defaultValue = "3", paramLabel = "N")
    int partitions;

    @Override
    public Integer call() {
      ObjectNode root = common.start("gateway");
      Path dir = LanguageModel.resolveDir(judgeDir);
      List<PairInput> pool = JudgeBench.heldOut(dir.resolve("heldout.jsonl"), 0);
      JudgeOptions options = new JudgeOptions(JudgeOptions.Mode.parse(mode), 0, Double.NaN);
      GatewayBench bench =
          new GatewayBench(
              new GatewayBench.Settings(
                  mode,
                  sizes,
                  trivialSizes,
                  common.repeats,
                  trivialRepeats,
                  batchSize,
                  partitions,
                  common.threads),
              System.out);
      root.set(
          "results", bench.run(() -> ReflectiveJudge.open(dir, options, common.inference()), pool));
      common.finish(root);
      return 0;
    }
  }

  @Command(
      name = "matmul",
      mixinStandardHelpOptions = true,
      description =
          "This machine's matrix-multiply rate with ONNX Runtime's kernels (one MatMul node).")
  static final class Matmul implements Callable<Integer> {
    @Mixin Common common;

    @Override
    public Integer call() throws Exception {
      ObjectNode root = common.start("matmul");
      MatmulBench bench = new MatmulBench(common.threads, common.repeats);
      List<MatmulBench.Result> results = bench.run();
      MatmulBench.print(results, System.out);
      root.set("results", bench.json(results));
      common.finish(root);
      return 0;
    }
  }

  @Command(
      name = "ort-profile",
      mixinStandardHelpOptions = true,
      description = {
        "Where decode time goes inside ONNX Runtime: the model's session with ORT's profiler,"
            + " decode steps with the present cache fed back, kernel time summed by operator"
            + " type; the rest of session.run is ORT's per-run framework cost. Diagnostic only."
      })
  static final class OrtProfile implements Callable<Integer> {
    @Mixin Common common;

    @Option(names = "--model-dir", defaultValue = "models/judge-tiny", paramLabel = "DIR")
    Path modelDir;

    @Option(names = "--batch", split = ",", defaultValue = "8,32", paramLabel = "N[,N...]")
    List<Integer> batches;

    @Option(names = "--past", defaultValue = "64", paramLabel = "N")
    int past;

    @Option(names = "--steps", defaultValue = "64", paramLabel = "N")
    int steps;

    @Option(
        names = "--ort-config",
        paramLabel = "KEY=VALUE",
        description = "Extra ORT session config entry, e.g. session.intra_op.allow_spinning=0.")
    Map<String, String> ortConfig = new LinkedHashMap<>();

    @Option(
        names = "--no-profile",
        negatable = false,
        description = "Only time session.run, without ORT's profiler.")
    boolean noProfile;

    @Override
    public Integer call() throws Exception {
      ObjectNode root = common.start("ort-profile");
      root.put("model_dir", modelDir.toString());
      OrtProfileBench bench =
          new OrtProfileBench(
              LanguageModel.resolveDir(modelDir), common.threads, ortConfig, !noProfile);
      var rows = root.putArray("results");
      for (int batch : batches) {
        rows.add(bench.run(batch, past, steps, System.out));
      }
      common.finish(root);
      return 0;
    }
  }
}
