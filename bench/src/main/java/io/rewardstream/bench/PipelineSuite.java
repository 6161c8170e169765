package io.rewardstream.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rewardstream.broker.EmbeddedKafkaBroker;
import io.rewardstream.judge.Judge;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.Verdict;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The pipeline benchmarks, in one process and one embedded broker:
 *
 * <ol>
 *   <li><b>Overhead</b>: the same pairs, same mode, same batches, through the bare judge and
 *       through the pipeline, alternating, {@code repeats} times each; the ratio of the median
 *       pairs/s. The verdicts must match (the judge is seeded by rollout id), and the suite checks
 *       that they do.
 *   <li><b>Ceiling</b>: the pipeline with {@link TrivialJudgeForBenchmarks}: what the topology
 *       itself can carry.
 *   <li><b>Latency</b>: pairs sent at half the measured pipeline throughput; send-to-committed-
 *       result latency percentiles.
 * </ol>
 */
public final class PipelineSuite {

  /** What to run. */
  public record Settings(
      String mode,
      int pairs,
      int batchSize,
      long batchMaxWaitMs,
      int partitions,
      int trivialPairs,
      double latencySeconds,
      int repeats,
      int threads,
      Map<String, String> appSettings) {}

  private final Settings s;
  private final Supplier<Judge> realJudge;
  private final PrintStream log;

  public PipelineSuite(Settings settings, Supplier<Judge> realJudge, PrintStream log) {
    this.s = settings;
    this.realJudge = realJudge;
    this.log = log;
  }

  /**
   * A new real judge, warmed with one full batch like the bare judge is, so the pipeline's first
   * batch does not pay ONNX Runtime's first-use allocations that the bare run had already paid.
   */
  private Supplier<Judge> warmed(List<PairInput> pairs) {
    return () -> {
      Judge judge = realJudge.get();
      judge.judge(pairs.subList(0, Math.min(pairs.size(), s.batchSize())));
      return judge;
    };
  }

  /** Runs the three parts; returns their figures. */
  public ObjectNode run(List<PairInput> pairs) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("mode", s.mode()).put("pairs", pairs.size()).put("batch_size", s.batchSize());
    out.put("batch_max_wait_ms", s.batchMaxWaitMs()).put("partitions", s.partitions());
    out.put("repeats", s.repeats());
    s.appSettings().forEach(out.putObject("app_settings")::put);
    try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker().start()) {
      PipelineBench bench =
          new PipelineBench(
              broker,
              s.batchSize(),
              s.batchMaxWaitMs(),
              s.partitions(),
              s.threads(),
              s.appSettings());
      double pipelinePairsPerSecond = overhead(bench, pairs, out.putObject("overhead"));
      ceiling(bench, pairs, out.putObject("trivial_judge_ceiling"));
      latency(bench, pairs, pipelinePairsPerSecond / 2, out.putObject("latency"));
    }
    return out;
  }

  private double overhead(PipelineBench bench, List<PairInput> pairs, ObjectNode out) {
    List<Double> bareMs = new ArrayList<>();
    List<Double> pipeMs = new ArrayList<>();
    List<Double> pipeJudgeMs = new ArrayList<>();
    int mismatches = 0;
    try (Judge bare = realJudge.get()) {
      bare.judge(pairs.subList(0, Math.min(pairs.size(), s.batchSize()))); // warm-up
      for (int r = 0; r < s.repeats(); r++) {
        long start = System.nanoTime();
        List<Verdict> verdicts = JudgeBench.judgeAll(bare, pairs, s.batchSize());
        bareMs.add(Stats.msSince(start));
        TimedJudge[] timed = new TimedJudge[1];
        Supplier<Judge> judge = () -> timed[0] = new TimedJudge(warmed(pairs).get());
        PipelineBench.Run run = bench.run(judge, s.mode(), pairs, 0);
        pipeMs.add(run.ms());
        pipeJudgeMs.add(timed[0].judgeMsSince(run.startNanos()));
        mismatches += mismatches(verdicts, run.preferred());
        log.printf(
            Locale.ROOT,
            "  repeat %d: bare %.0f ms, pipeline %.0f ms of which judge %.0f ms (%d dead"
                + " letters)%n",
            r + 1,
            bareMs.get(r),
            run.ms(),
            pipeJudgeMs.get(r),
            run.deadLetters());
        log.println("    judge calls (start+ms): " + timed[0].timeline(run.startNanos()));
      }
    }
    double bare = pairs.size() / (Stats.median(bareMs) / 1000);
    double pipe = pairs.size() / (Stats.median(pipeMs) / 1000);
    out.put("bare_judge_pairs_per_s", Stats.round(bare, 3));
    out.put("pipeline_pairs_per_s", Stats.round(pipe, 3));
    out.put("pipeline_over_bare", Stats.round(pipe / bare, 4));
    out.put("verdict_mismatches", mismatches);
    bareMs.forEach(out.putArray("bare_ms")::add);
    pipeMs.forEach(out.putArray("pipeline_ms")::add);
    // where the pipeline's extra time goes: the judge itself running slower beside Kafka's
    // threads (judge_in_pipeline - bare), or time the judge was not running at all
    pipeJudgeMs.forEach(out.putArray("judge_in_pipeline_ms")::add);
    out.put(
        "judge_share_of_pipeline",
        Stats.round(Stats.median(pipeJudgeMs) / Stats.median(pipeMs), 4));
    log.printf(
        Locale.ROOT,
        "overhead (%s, %d pairs, batches of %d): bare judge %.2f pairs/s, pipeline %.2f pairs/s,"
            + " ratio %.3f; verdicts differing: %d%n",
        s.mode(),
        pairs.size(),
        s.batchSize(),
        bare,
        pipe,
        pipe / bare,
        mismatches);
    return pipe;
  }

  private static int mismatches(List<Verdict> bare, Map<String, String> pipeline) {
    int n = 0;
    for (Verdict v : bare) {
      if (!v.preferred().name().equals(pipeline.get(v.rolloutId()))) {
        n++;
      }
    }
    return n;
  }

  private void ceiling(PipelineBench bench, List<PairInput> pairs, ObjectNode out) {
    List<PairInput> many = cycle(pairs, s.trivialPairs(), "trivial");
    List<Double> ms = new ArrayList<>();
    for (int r = 0; r < s.repeats(); r++) {
      ms.add(bench.run(TrivialJudgeForBenchmarks::new, "greedy", many, 0).ms());
    }
    double rate = many.size() / (Stats.median(ms) / 1000);
    out.put("judge", "TrivialJudgeForBenchmarks (no model; fixed verdict)");
    out.put("pairs", many.size()).put("pairs_per_s", Stats.round(rate, 1));
    ms.forEach(out.putArray("ms")::add);
    log.printf(
        Locale.ROOT,
        "ceiling with TrivialJudgeForBenchmarks: %.0f pairs/s (%d pairs, batches of %d)%n",
        rate,
        many.size(),
        s.batchSize());
  }

  private void latency(PipelineBench bench, List<PairInput> pairs, double rate, ObjectNode out) {
    int count = (int) Math.max(4L * s.batchSize(), Math.round(rate * s.latencySeconds()));
    count = (count + s.batchSize() - 1) / s.batchSize() * s.batchSize();
    List<PairInput> paced = cycle(pairs, count, "lat");
    PipelineBench.Run run = bench.run(warmed(pairs), s.mode(), paced, rate);
    List<Double> lat = run.latenciesMs();
    out.put("offered_pairs_per_s", Stats.round(rate, 3)).put("pairs", count);
    out.put("achieved_pairs_per_s", Stats.round(count / (run.ms() / 1000), 3));
    out.put("p50_ms", Stats.round(Stats.percentile(lat, 50), 1));
    out.put("p95_ms", Stats.round(Stats.percentile(lat, 95), 1));
    out.put("p99_ms", Stats.round(Stats.percentile(lat, 99), 1));
    out.put("max_ms", Stats.round(Stats.percentile(lat, 100), 1));
    log.printf(
        Locale.ROOT,
        "latency at %.2f pairs/s (%d pairs, %s): p50 %.0f ms, p95 %.0f ms, p99 %.0f ms%n",
        rate,
        count,
        s.mode(),
        Stats.percentile(lat, 50),
        Stats.percentile(lat, 95),
        Stats.percentile(lat, 99));
  }

  /** {@code count} pairs cycling through {@code pairs}, each with its own rollout id. */
  static List<PairInput> cycle(List<PairInput> pairs, int count, String tag) {
    List<PairInput> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      PairInput p = pairs.get(i % pairs.size());
      out.add(
          new PairInput(p.rolloutId() + "#" + tag + i, p.prompt(), p.responseA(), p.responseB()));
    }
    return out;
  }
}
