package io.rewardstream.eval;

import io.rewardstream.judge.Judge;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Judges a preference dataset in both orders and tallies the eval table (docs/judge.md, "Judge
 * quality"). Each pair becomes two scorings in the same judge batch: as given (A = chosen) and
 * swapped (A = rejected), with distinct rollout ids so their sampling seeds differ.
 */
public final class EvalRunner {

  /** Told after every batch. */
  public interface Progress {
    void update(int pairsDone, int pairsTotal);
  }

  /** Receives both verdicts of each pair, e.g. to write --out. */
  public interface PairSink {
    void accept(EvalPair pair, Verdict asGiven, Verdict swapped);
  }

  /**
   * The eval table.
   *
   * @param bySubset rows per subset, sorted by name
   * @param overall all pairs
   * @param seconds wall time of judging
   */
  public record Report(Map<String, EvalStats> bySubset, EvalStats overall, double seconds) {

    /** Pairs (each judged in both orders) per second. */
    public double pairsPerSecond() {
      return overall.pairs() / seconds;
    }

    /** The table as text, one row per subset and an overall row. */
    public String format(String mode) {
      StringBuilder out = new StringBuilder();
      out.append(
          String.format(
              Locale.ROOT,
              "mode %s: %d pairs in %.1f s (%.2f pairs/s, each judged in both orders)%n",
              mode,
              overall.pairs(),
              seconds,
              pairsPerSecond()));
      String header = "%-10s %6s %9s %11s %11s %6s %8s %10s %8s %9s%n";
      out.append(
          String.format(
              Locale.ROOT,
              header,
              "subset",
              "pairs",
              "accuracy",
              "both-order",
              "consistent",
              "ties",
              "abstain",
              "judgments",
              "gen/pr",
              "tok/pr"));
      bySubset.forEach((name, stats) -> out.append(row(name, stats)));
      out.append(row("overall", overall));
      return out.toString();
    }

    private static String row(String name, EvalStats s) {
      return String.format(
          Locale.ROOT,
          "%-10s %6d %8.1f%% %10.1f%% %10.1f%% %5.1f%% %7.1f%% %9.1f%% %8.1f %9.1f%n",
          name,
          s.pairs(),
          100 * s.accuracy(),
          100 * s.bothOrderAccuracy(),
          100 * s.positionConsistency(),
          100 * s.tieRate(),
          100 * s.abstainRate(),
          100 * s.judgmentAccuracy(),
          s.generationsPerScore(),
          s.tokensPerScore());
    }
  }

  private EvalRunner() {}

  /** Judges all pairs, {@code batchSize} pairs (2 × batchSize scorings) per judge call. */
  public static Report run(
      Judge judge, List<EvalPair> pairs, int batchSize, Progress progress, PairSink sink) {
    Map<String, EvalStats> bySubset = new TreeMap<>();
    long start = System.nanoTime();
    for (int from = 0; from < pairs.size(); from += batchSize) {
      List<EvalPair> slice = pairs.subList(from, Math.min(pairs.size(), from + batchSize));
      List<PairInput> inputs = new ArrayList<>();
      for (EvalPair p : slice) {
        inputs.add(new PairInput(p.id() + "#as-given", p.prompt(), p.chosen(), p.rejected()));
        inputs.add(new PairInput(p.id() + "#swapped", p.prompt(), p.rejected(), p.chosen()));
      }
      List<Verdict> verdicts = judge.judge(inputs);
      for (int i = 0; i < slice.size(); i++) {
        EvalPair p = slice.get(i);
        Verdict asGiven = verdicts.get(2 * i);
        Verdict swapped = verdicts.get(2 * i + 1);
        bySubset.computeIfAbsent(p.subset(), k -> new EvalStats()).add(asGiven, swapped);
        sink.accept(p, asGiven, swapped);
      }
      progress.update(from + slice.size(), pairs.size());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    EvalStats overall = new EvalStats();
    bySubset.values().forEach(overall::addAll);
    return new Report(bySubset, overall, seconds);
  }
}
