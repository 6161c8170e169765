package io.rewardstream.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rewardstream.inference.Generation;
import io.rewardstream.inference.GenerationQueue;
import io.rewardstream.inference.GenerationRequest;
import io.rewardstream.inference.LanguageModel;
import io.rewardstream.inference.SamplingParams;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Static against continuous batching on the same work: {@code sequences} greedy generations whose
 * lengths are drawn (seeded, so every run and both schedules get the same ones) uniformly from
 * [{@code minTokens}, {@code maxTokens}], EOS ignored so a random-weight model runs them too.
 *
 * <ul>
 *   <li>static: {@code rows} sequences at a time, each group run to its longest before the next
 *       starts (finished rows still compact away at half, as the engine always did);
 *   <li>continuous: at most {@code rows} live, a waiting sequence joining as rows finish ({@link
 *       GenerationQueue}).
 * </ul>
 *
 * Useful tokens/s counts the tokens of the requested lengths only. Both schedules must generate the
 * same tokens; the result says whether they did.
 */
public final class ScheduleBench {

  /**
   * One schedule's timings.
   *
   * @param schedule "static" or "continuous"
   * @param ms wall time per repeat
   * @param steps decode steps of the last repeat
   * @param joins times rows joined a running batch, last repeat
   */
  public record Timing(String schedule, List<Double> ms, long steps, long joins) {}

  /** Both schedules at one row limit. */
  public record Result(
      int rows, long usefulTokens, Timing staticBatches, Timing continuous, boolean identical) {}

  private final LanguageModel model;
  private final int[] prompt;
  private final int[] lengths;
  private final int repeats;

  public ScheduleBench(
      LanguageModel model,
      int promptTokens,
      int sequences,
      int minTokens,
      int maxTokens,
      long seed,
      int repeats) {
    if (sequences < 1 || minTokens < 1 || maxTokens < minTokens) {
      throw new IllegalArgumentException(
          "need --sequences >= 1 and 1 <= --min-tokens <= --max-tokens, got "
              + sequences
              + ", "
              + minTokens
              + ", "
              + maxTokens);
    }
    this.model = model;
    this.prompt = BenchPrompts.fixedLength(model, promptTokens);
    SplittableRandom rng = new SplittableRandom(seed);
    this.lengths = new int[sequences];
    Arrays.setAll(lengths, i -> rng.nextInt(minTokens, maxTokens + 1));
    this.repeats = repeats;
  }

  public int[] lengths() {
    return lengths.clone();
  }

  private List<GenerationRequest> requests() {
    List<GenerationRequest> out = new ArrayList<>();
    for (int i = 0; i < lengths.length; i++) {
      SamplingParams params = new SamplingParams(0, 1, lengths[i], List.of(), true);
      out.add(new GenerationRequest(prompt, new long[] {i}, params));
    }
    return out;
  }

  /** A warm-up of each, then {@code repeats} rounds, alternating which schedule goes first. */
  public Result run(int rows) {
    List<GenerationRequest> requests = requests();
    List<String> a = tokens(runStatic(requests, rows, new long[2]));
    List<String> b = tokens(runContinuous(requests, rows, new long[2]));
    List<Double> staticMs = new ArrayList<>();
    List<Double> continuousMs = new ArrayList<>();
    long[] staticCounts = new long[2];
    long[] continuousCounts = new long[2];
    for (int r = 0; r < repeats; r++) {
      for (int k = 0; k < 2; k++) {
        boolean continuous = (k == 0) == (r % 2 == 1);
        long start = System.nanoTime();
        if (continuous) {
          runContinuous(requests, rows, continuousCounts);
          continuousMs.add(Stats.msSince(start));
        } else {
          runStatic(requests, rows, staticCounts);
          staticMs.add(Stats.msSince(start));
        }
      }
    }
    return new Result(
        rows,
        Arrays.stream(lengths).sum(),
        new Timing("static", staticMs, staticCounts[0], staticCounts[1]),
        new Timing("continuous", continuousMs, continuousCounts[0], continuousCounts[1]),
        a.equals(b));
  }

  private List<Generation> runStatic(List<GenerationRequest> requests, int rows, long[] counts) {
    List<Generation> out = new ArrayList<>();
    counts[0] = 0;
    counts[1] = 0;
    for (int from = 0; from < requests.size(); from += rows) {
      GenerationQueue queue = model.queue(0);
      for (GenerationRequest r : requests.subList(from, Math.min(from + rows, requests.size()))) {
        queue.submit(r, g -> out.add(g.get(0)));
      }
      queue.run();
      counts[0] += queue.steps();
      counts[1] += queue.joins();
    }
    return out;
  }

  private List<Generation> runContinuous(
      List<GenerationRequest> requests, int rows, long[] counts) {
    List<Generation> out = new ArrayList<>();
    GenerationQueue queue = model.queue(rows);
    for (GenerationRequest r : requests) {
      queue.submit(r, g -> out.add(g.get(0)));
    }
    queue.run();
    counts[0] = queue.steps();
    counts[1] = queue.joins();
    return out;
  }

  /** Each generation's tokens, in request order (completion order differs between schedules). */
  private static List<String> tokens(List<Generation> out) {
    return out.stream().map(g -> Arrays.toString(g.tokenIds())).sorted().toList();
  }

  private static double tokensPerSecond(long tokens, List<Double> ms) {
    return tokens / (Stats.median(ms) / 1000.0);
  }

  /** Console table. */
  public void print(List<Result> results, PrintStream out) {
    out.printf(
        Locale.ROOT,
        "%d sequences, %d-token prompt, lengths %d..%d (mean %.1f), EOS ignored%n",
        lengths.length,
        prompt.length,
        Arrays.stream(lengths).min().orElse(0),
        Arrays.stream(lengths).max().orElse(0),
        Arrays.stream(lengths).average().orElse(0));
    out.printf(
        Locale.ROOT,
        "%6s %14s %14s %8s %12s %12s %6s %10s%n",
        "rows",
        "static tok/s",
        "contin. tok/s",
        "ratio",
        "static steps",
        "contin. steps",
        "joins",
        "identical");
    for (Result r : results) {
      double s = tokensPerSecond(r.usefulTokens(), r.staticBatches().ms());
      double c = tokensPerSecond(r.usefulTokens(), r.continuous().ms());
      out.printf(
          Locale.ROOT,
          "%6d %14.1f %14.1f %8.2f %12d %12d %6d %10s%n",
          r.rows(),
          s,
          c,
          c / s,
          r.staticBatches().steps(),
          r.continuous().steps(),
          r.continuous().joins(),
          r.identical());
    }
  }

  /** JSON with the raw repeats. */
  public ArrayNode json(List<Result> results) {
    ArrayNode arr = JsonNodeFactory.instance.arrayNode();
    for (Result r : results) {
      ObjectNode node = arr.addObject();
      node.put("rows", r.rows()).put("sequences", lengths.length);
      node.put("prompt_tokens", prompt.length).put("useful_tokens", r.usefulTokens());
      node.put("identical_tokens", r.identical());
      for (Timing t : List.of(r.staticBatches(), r.continuous())) {
        ObjectNode timing = node.putObject(t.schedule());
        timing.put("median_ms", Stats.round(Stats.median(t.ms()), 2));
        timing.put(
            "useful_tokens_per_s", Stats.round(tokensPerSecond(r.usefulTokens(), t.ms()), 2));
        timing.put("decode_steps", t.steps()).put("joins", t.joins());
        ArrayNode ms = timing.putArray("ms");
        t.ms().forEach(v -> ms.add(Stats.round(v, 2)));
      }
    }
    ArrayNode lens = JsonNodeFactory.instance.arrayNode();
    Arrays.stream(lengths).forEach(lens::add);
    if (!arr.isEmpty()) {
      ((ObjectNode) arr.get(0)).set("lengths", lens);
    }
    return arr;
  }
}
