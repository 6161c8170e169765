package io.rewardstream.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rewardstream.eval.EvalPair;
import io.rewardstream.judge.Judge;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.Verdict;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Judge throughput per mode: held-out pairs scored in batches, pairs/s (median of repeats), and
 * what a pair costs in generations and generated tokens. The judge is deterministic (seeded), so
 * every repeat does the same work.
 */
public final class JudgeBench {

  /**
   * One mode's result.
   *
   * @param mode greedy, vote or reflect
   * @param pairs pairs per repeat
   * @param ms wall time of each repeat
   * @param generationsPerPair generations (judgments + reflections) per pair
   * @param tokensPerPair generated tokens per pair
   * @param accuracy share of pairs whose verdict is A (A = the held-out "chosen" response)
   */
  public record Result(
      String mode,
      int pairs,
      List<Double> ms,
      double generationsPerPair,
      double tokensPerPair,
      double accuracy) {

    /** Median pairs/s. */
    public double pairsPerSecond() {
      return pairs / (Stats.median(ms) / 1000.0);
    }
  }

  private JudgeBench() {}

  /** Held-out pairs as judge inputs, response A = the chosen one. */
  public static List<PairInput> heldOut(Path data, int limit) {
    List<PairInput> out = new ArrayList<>();
    for (EvalPair p : EvalPair.readJsonl(data, limit)) {
      out.add(new PairInput(p.id(), p.prompt(), p.chosen(), p.rejected()));
    }
    return out;
  }

  /** Scores all pairs in batches of {@code batchSize}; returns the verdicts in order. */
  public static List<Verdict> judgeAll(Judge judge, List<PairInput> pairs, int batchSize) {
    List<Verdict> out = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i += batchSize) {
      out.addAll(judge.judge(pairs.subList(i, Math.min(pairs.size(), i + batchSize))));
    }
    return out;
  }

  /** One warm-up batch, then {@code repeats} timed passes over all pairs. */
  public static Result run(
      Judge judge, String mode, List<PairInput> pairs, int batchSize, int repeats) {
    judge.judge(pairs.subList(0, Math.min(pairs.size(), batchSize)));
    List<Double> ms = new ArrayList<>();
    List<Verdict> verdicts = List.of();
    for (int r = 0; r < repeats; r++) {
      long start = System.nanoTime();
      verdicts = judgeAll(judge, pairs, batchSize);
      ms.add(Stats.msSince(start));
    }
    long generations = verdicts.stream().mapToLong(Verdict::generations).sum();
    long tokens = verdicts.stream().mapToLong(Verdict::tokensUsed).sum();
    long right = verdicts.stream().filter(v -> v.preferred() == Verdict.Preference.A).count();
    int n = pairs.size();
    return new Result(
        mode, n, ms, generations / (double) n, tokens / (double) n, right / (double) n);
  }

  /** Console table. */
  public static void print(List<Result> results, int batchSize, PrintStream out) {
    out.printf(
        Locale.ROOT,
        "%-8s %6s %10s %12s %12s %14s %10s%n",
        "mode",
        "pairs",
        "pairs/s",
        "ms/pair",
        "gens/pair",
        "tokens/pair",
        "accuracy");
    for (Result r : results) {
      out.printf(
          Locale.ROOT,
          "%-8s %6d %10.2f %12.1f %12.2f %14.1f %10.3f%n",
          r.mode(),
          r.pairs(),
          r.pairsPerSecond(),
          1000.0 / r.pairsPerSecond(),
          r.generationsPerPair(),
          r.tokensPerPair(),
          r.accuracy());
    }
    out.printf(Locale.ROOT, "(batches of %d pairs; accuracy = verdict A, A = chosen)%n", batchSize);
  }

  /** JSON with the raw repeats. */
  public static ObjectNode json(List<Result> results, int batchSize, int repeats) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("batch_size", batchSize).put("repeats", repeats);
    ArrayNode rows = node.putArray("modes");
    for (Result r : results) {
      ObjectNode row = rows.addObject();
      row.put("mode", r.mode()).put("pairs", r.pairs());
      row.put("pairs_per_s", Stats.round(r.pairsPerSecond(), 3));
      row.put("generations_per_pair", Stats.round(r.generationsPerPair(), 3));
      row.put("tokens_per_pair", Stats.round(r.tokensPerPair(), 2));
      row.put("accuracy_as_given", Stats.round(r.accuracy(), 4));
      r.ms().forEach(row.putArray("ms")::add);
    }
    return node;
  }
}
