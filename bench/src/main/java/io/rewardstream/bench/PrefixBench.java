package io.rewardstream.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rewardstream.inference.Generation;
import io.rewardstream.inference.GenerationRequest;
import io.rewardstream.inference.LanguageModel;
import io.rewardstream.inference.SamplingParams;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Shared-prefix sampling: N samples of one judge prompt, generated with the prompt prefilled once
 * and its KV cache copied N times (one request with N seeds), against N separate prefills (N
 * requests of one seed each), same seeds, alternating within each repeat so both see the same
 * machine.
 *
 * <p>Two lengths are timed: 1 new token (prefill and first token only: what sharing saves) and
 * {@code newTokens} (the whole generation: what it saves end to end). The seeds are the same, so
 * both ways must generate the same tokens; the result says whether they did.
 */
public final class PrefixBench {

  /**
   * The timings, ms per repeat.
   *
   * @param promptTokens length of the shared prompt
   * @param identical whether shared and unshared generations had the same tokens
   */
  public record Result(
      int promptTokens,
      List<Double> sharedPrefillMs,
      List<Double> separatePrefillMs,
      List<Double> sharedFullMs,
      List<Double> separateFullMs,
      long generatedTokens,
      boolean identical) {}

  private final LanguageModel model;
  private final int samples;
  private final int newTokens;
  private final double temperature;
  private final int repeats;

  public PrefixBench(
      LanguageModel model, int samples, int newTokens, double temperature, int repeats) {
    if (samples < 1) {
      throw new IllegalArgumentException("--samples must be >= 1, got " + samples);
    }
    this.model = model;
    this.samples = samples;
    this.newTokens = newTokens;
    this.temperature = temperature;
    this.repeats = repeats;
  }

  /** Warm-up, then {@code repeats} rounds of the four timings. */
  public Result run() {
    int[] prompt = BenchPrompts.judgePrompt(model);
    long[] seeds = new long[samples];
    Arrays.setAll(seeds, i -> 1000L + i);
    List<GenerationRequest> one = shared(prompt, seeds, 1);
    List<GenerationRequest> oneSeparate = separate(one.get(0));
    List<GenerationRequest> full = shared(prompt, seeds, newTokens);
    List<GenerationRequest> fullSeparate = separate(full.get(0));
    boolean identical = tokens(model.generate(full)).equals(tokens(model.generate(fullSeparate)));
    model.generate(one);
    model.generate(oneSeparate);
    List<Double> sharedPrefill = new ArrayList<>();
    List<Double> separatePrefill = new ArrayList<>();
    List<Double> sharedFull = new ArrayList<>();
    List<Double> separateFull = new ArrayList<>();
    long generated = 0;
    for (int r = 0; r < repeats; r++) {
      // alternate which goes first, so neither always runs on a warmer cache
      boolean sharedFirst = r % 2 == 0;
      for (int k = 0; k < 2; k++) {
        boolean share = (k == 0) == sharedFirst;
        long start = System.nanoTime();
        model.generate(share ? one : oneSeparate);
        (share ? sharedPrefill : separatePrefill).add(Stats.msSince(start));
        start = System.nanoTime();
        generated = count(model.generate(share ? full : fullSeparate));
        (share ? sharedFull : separateFull).add(Stats.msSince(start));
      }
    }
    return new Result(
        prompt.length,
        sharedPrefill,
        separatePrefill,
        sharedFull,
        separateFull,
        generated,
        identical);
  }

  private List<GenerationRequest> shared(int[] prompt, long[] seeds, int tokens) {
    SamplingParams params = new SamplingParams(temperature, 1.0, tokens, List.of());
    return List.of(new GenerationRequest(prompt, seeds, params));
  }

  /** The same samples as one request per seed: each is prefilled on its own. */
  private static List<GenerationRequest> separate(GenerationRequest shared) {
    return Arrays.stream(shared.sampleSeeds())
        .mapToObj(
            seed -> new GenerationRequest(shared.promptIds(), new long[] {seed}, shared.params()))
        .toList();
  }

  private static List<String> tokens(List<List<Generation>> out) {
    return out.stream().flatMap(List::stream).map(g -> Arrays.toString(g.tokenIds())).toList();
  }

  private static long count(List<List<Generation>> out) {
    return out.stream().flatMap(List::stream).mapToLong(g -> g.tokenIds().length).sum();
  }

  /** Console table. */
  public void print(Result r, PrintStream out) {
    out.printf(
        Locale.ROOT,
        "%d samples of one %d-token prompt, temperature %.2f; same tokens both ways: %s%n",
        samples,
        r.promptTokens(),
        temperature,
        r.identical());
    out.printf(Locale.ROOT, "%-28s %12s %12s %8s%n", "", "shared ms", "separate ms", "ratio");
    row(out, "prefill + 1 token", r.sharedPrefillMs(), r.separatePrefillMs());
    row(out, newTokens + " new tokens (whole)", r.sharedFullMs(), r.separateFullMs());
  }

  private static void row(PrintStream out, String label, List<Double> shared, List<Double> sep) {
    double s = Stats.median(shared);
    double p = Stats.median(sep);
    out.printf(Locale.ROOT, "%-28s %12.2f %12.2f %8.2f%n", label, s, p, p / s);
  }

  /** JSON with the raw repeats. */
  public ObjectNode json(Result r) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("samples", samples).put("prompt_tokens", r.promptTokens());
    node.put("new_tokens", newTokens).put("temperature", temperature).put("repeats", repeats);
    node.put("identical_tokens", r.identical()).put("generated_tokens", r.generatedTokens());
    put(node, "prefill_1_token", r.sharedPrefillMs(), r.separatePrefillMs());
    put(node, "full", r.sharedFullMs(), r.separateFullMs());
    return node;
  }

  private static void put(ObjectNode node, String name, List<Double> shared, List<Double> sep) {
    ObjectNode o = node.putObject(name);
    o.put("median_shared_ms", Stats.round(Stats.median(shared), 3));
    o.put("median_separate_ms", Stats.round(Stats.median(sep), 3));
    o.put("separate_over_shared", Stats.round(Stats.median(sep) / Stats.median(shared), 3));
    shared.forEach(o.putArray("shared_ms")::add);
    sep.forEach(o.putArray("separate_ms")::add);
  }
}
