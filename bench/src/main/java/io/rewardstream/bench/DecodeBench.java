package io.rewardstream.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rewardstream.inference.Generation;
import io.rewardstream.inference.GenerationRequest;
import io.rewardstream.inference.LanguageModel;
import io.rewardstream.inference.SamplingParams;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decode throughput of our engine: a batch of identical fixed-length prompts, greedy, no stop
 * strings, {@code newTokens} tokens per row.
 *
 * <p>Each repeat times two calls back to back: {@code newTokens} tokens, and 1 token (the prefill
 * plus the first token). Decode tokens/s is {@code batch × (newTokens − 1) / (t_full − t_1)}: the
 * decode loop alone. End-to-end tokens/s ({@code batch × newTokens / t_full}) includes the prefill.
 * Rows are separate requests generated without prefix sharing, so no KV-cache copy is timed.
 */
public final class DecodeBench {

  /**
   * One batch size's result.
   *
   * @param batch rows decoded together
   * @param fullMs wall time of each repeat's full decode (prefill + newTokens tokens), ms
   * @param prefillMs wall time of each repeat's 1-token call (prefill + first token), ms
   * @param generated tokens the full decode generated (batch × newTokens unless a row hit EOS)
   */
  public record Result(int batch, List<Double> fullMs, List<Double> prefillMs, long generated) {

    /** Decode-loop tokens/s from the medians. */
    public double decodeTokensPerSecond() {
      double decodeMs = Stats.median(fullMs) - Stats.median(prefillMs);
      return (generated - batch) / (decodeMs / 1000.0);
    }

    /** Tokens/s including the prefill. */
    public double endToEndTokensPerSecond() {
      return generated / (Stats.median(fullMs) / 1000.0);
    }

    /** Median ms per decode step (one token for every row). */
    public double msPerStep() {
      double steps = (double) (generated - batch) / batch;
      return (Stats.median(fullMs) - Stats.median(prefillMs)) / steps;
    }
  }

  private final LanguageModel model;
  private final int promptTokens;
  private final int newTokens;
  private final int repeats;
  private final boolean ignoreEos;

  /**
   * @param ignoreEos run every row for all {@code newTokens} steps (a fixed-length decode, like the
   *     PyTorch reference); false stops a row at EOS as the judge does
   */
  public DecodeBench(
      LanguageModel model, int promptTokens, int newTokens, int repeats, boolean ignoreEos) {
    if (newTokens < 2) {
      throw new IllegalArgumentException("--new-tokens must be >= 2, got " + newTokens);
    }
    this.model = model;
    this.promptTokens = promptTokens;
    this.newTokens = newTokens;
    this.repeats = repeats;
    this.ignoreEos = ignoreEos;
  }

  /** Warms up once, then times {@code repeats} rounds at this batch size. */
  public Result run(int batch) {
    int[] prompt = BenchPrompts.fixedLength(model, promptTokens);
    List<GenerationRequest> full = requests(prompt, batch, newTokens);
    List<GenerationRequest> one = requests(prompt, batch, 1);
    generate(full);
    generate(one);
    List<Double> fullMs = new ArrayList<>();
    List<Double> prefillMs = new ArrayList<>();
    long generated = 0;
    for (int r = 0; r < repeats; r++) {
      long start = System.nanoTime();
      generated = generate(full);
      fullMs.add(Stats.msSince(start));
      start = System.nanoTime();
      generate(one);
      prefillMs.add(Stats.msSince(start));
    }
    return new Result(batch, fullMs, prefillMs, generated);
  }

  private List<GenerationRequest> requests(int[] prompt, int batch, int tokens) {
    SamplingParams greedy = new SamplingParams(0, 1, tokens, List.of(), ignoreEos);
    List<GenerationRequest> out = new ArrayList<>();
    for (int b = 0; b < batch; b++) {
      out.add(new GenerationRequest(prompt, new long[] {b}, greedy));
    }
    return out;
  }

  private long generate(List<GenerationRequest> requests) {
    long tokens = 0;
    for (List<Generation> gens : model.generate(requests)) {
      for (Generation g : gens) {
        tokens += g.tokenIds().length;
      }
    }
    return tokens;
  }

  /** Prints a table row per result. */
  public void print(List<Result> results, PrintStream out) {
    out.printf(
        Locale.ROOT,
        "%-6s %12s %12s %12s %14s %12s%n",
        "batch",
        "decode tok/s",
        "ms/step",
        "prefill ms",
        "e2e tok/s",
        "generated");
    for (Result r : results) {
      out.printf(
          Locale.ROOT,
          "%-6d %12.1f %12.3f %12.2f %14.1f %12d%n",
          r.batch(),
          r.decodeTokensPerSecond(),
          r.msPerStep(),
          Stats.median(r.prefillMs()),
          r.endToEndTokensPerSecond(),
          r.generated());
    }
  }

  /** Results as JSON, with the raw repeats. */
  public ObjectNode json(List<Result> results) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("prompt_tokens", promptTokens).put("new_tokens", newTokens).put("repeats", repeats);
    ArrayNode rows = node.putArray("batches");
    for (Result r : results) {
      ObjectNode row = rows.addObject();
      row.put("batch", r.batch());
      row.put("decode_tokens_per_s", Stats.round(r.decodeTokensPerSecond(), 2));
      row.put("ms_per_step", Stats.round(r.msPerStep(), 4));
      row.put("median_prefill_ms", Stats.round(Stats.median(r.prefillMs()), 3));
      row.put("median_full_ms", Stats.round(Stats.median(r.fullMs()), 3));
      row.put("end_to_end_tokens_per_s", Stats.round(r.endToEndTokensPerSecond(), 2));
      row.put("generated_tokens", r.generated());
      r.fullMs().forEach(row.putArray("full_ms")::add);
      r.prefillMs().forEach(row.putArray("prefill_ms")::add);
    }
    return node;
  }
}
