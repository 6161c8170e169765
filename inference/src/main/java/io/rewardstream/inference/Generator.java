package io.rewardstream.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The batched KV-cache generation loop: one prefill, then one decode step per token for the whole
 * batch, each row finishing on its own.
 *
 * <ul>
 *   <li>Prompts are left-padded to the longest; padding is masked out and position ids count real
 *       tokens only, so a row's tokens do not depend on what else is in the batch.
 *   <li>With prefix sharing, the N samples of one prompt prefill it once and copy its KV cache N
 *       times ({@link KvCache#gather}).
 *   <li>Finished rows are fed padding until at least half the batch has finished, then the cache is
 *       compacted so they stop costing work (a copy per compaction, not per step).
 * </ul>
 *
 * Not thread-safe: one generator per model session.
 */
final class Generator {

  private final OnnxCausalLm lm;
  private final ModelConfig config;
  private final TextTokenizer tokenizer;
  private final String[] pieces; // text of each token id, for stop strings

  Generator(OnnxCausalLm lm, ModelConfig config, TextTokenizer tokenizer, int vocab) {
    this.lm = lm;
    this.config = config;
    this.tokenizer = tokenizer;
    this.pieces = tokenizer.pieces(vocab);
  }

  /**
   * Runs every request to completion.
   *
   * @return per request, its generations in sample order
   */
  List<List<Generation>> generate(List<GenerationRequest> requests) {
    List<Row> rows = new ArrayList<>();
    for (int q = 0; q < requests.size(); q++) {
      GenerationRequest request = requests.get(q);
      checkContext(request);
      for (long seed : request.sampleSeeds()) {
        rows.add(new Row(request, q, seed));
      }
    }
    if (!rows.isEmpty()) {
      decode(rows, prefill(requests, rows));
    }
    List<List<Generation>> out = new ArrayList<>();
    int next = 0;
    for (GenerationRequest request : requests) {
      List<Generation> generations = new ArrayList<>();
      for (int s = 0; s < request.samples(); s++) {
        generations.add(rows.get(next++).toGeneration(tokenizer));
      }
      out.add(generations);
    }
    return out;
  }

  private void checkContext(GenerationRequest request) {
    if (request.promptIds().length >= config.maxContext()) {
      throw new InferenceException(
          "prompt of "
              + request.promptIds().length
              + " tokens does not fit the context window of "
              + config.maxContext()
              + " tokens (max_context in judge.json) with room to generate; shorten the input");
    }
  }

  /**
   * Prefills each request's prompt once for all its samples, samples each row's first token, and
   * returns the rows' cache (the prefilled lines copied once per sample). A caller that wants one
   * prefill per sample (the prefix benchmark) sends one request per seed.
   */
  private Batch prefill(List<GenerationRequest> requests, List<Row> rows) {
    List<int[]> prompts = new ArrayList<>();
    int[] unitOfRow = new int[rows.size()];
    for (int r = 0; r < rows.size(); r++) {
      unitOfRow[r] = rows.get(r).requestIndex;
    }
    for (GenerationRequest request : requests) {
      prompts.add(request.promptIds());
    }
    int units = prompts.size();
    int width = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
    long[] ids = new long[units * width];
    long[] mask = new long[units * width];
    long[] pos = new long[units * width];
    for (int u = 0; u < units; u++) {
      int[] prompt = prompts.get(u);
      int pad = width - prompt.length;
      for (int j = 0; j < width; j++) {
        boolean real = j >= pad;
        ids[u * width + j] = real ? prompt[j - pad] : config.padTokenId();
        mask[u * width + j] = real ? 1 : 0;
        pos[u * width + j] = real ? j - pad : 0;
      }
    }
    OnnxCausalLm.Step step;
    try (KvCache empty = KvCache.empty(lm.env(), lm.layout(), units)) {
      step = lm.forward(ids, units, width, mask, pos, empty, false);
    }
    int vocab = step.vocab(units);
    KvCache cache = step.cache();
    // With one sample per request (greedy judgments, every reflection) the rows already are the
    // prefill units: copying the cache would buy nothing.
    if (rows.size() > requests.size()) {
      try (KvCache prefilled = cache) {
        cache = prefilled.gather(lm.env(), unitOfRow);
      }
    }
    for (int r = 0; r < rows.size(); r++) {
      Row row = rows.get(r);
      row.padLeft = width - row.request.promptIds().length;
      row.accept(step.logits(), unitOfRow[r] * vocab, vocab, this);
    }
    int[] batchRows = new int[rows.size()];
    Arrays.setAll(batchRows, i -> i);
    return new Batch(cache, batchRows);
  }

  /** Decode steps until every row has finished. */
  private void decode(List<Row> rows, Batch batch) {
    try {
      while (true) {
        batch = compactIfWorthIt(rows, batch);
        if (batch.rows.length == 0) {
          return;
        }
        batch = step(rows, batch);
      }
    } finally {
      batch.cache.close();
    }
  }

  private Batch step(List<Row> rows, Batch batch) {
    int n = batch.rows.length;
    int past = batch.cache.length();
    int total = past + 1;
    long[] ids = new long[n];
    long[] mask = new long[n * total];
    long[] pos = new long[n];
    for (int i = 0; i < n; i++) {
      Row row = rows.get(batch.rows[i]);
      ids[i] = row.done ? config.padTokenId() : row.lastToken();
      Arrays.fill(mask, i * total + row.padLeft, (i + 1) * total, 1L);
      pos[i] = past - row.padLeft;
    }
    OnnxCausalLm.Step step = lm.forward(ids, n, 1, mask, pos, batch.cache, false);
    batch.cache.close();
    int vocab = step.vocab(n);
    for (int i = 0; i < n; i++) {
      Row row = rows.get(batch.rows[i]);
      if (!row.done) {
        row.accept(step.logits(), i * vocab, vocab, this);
      }
    }
    return new Batch(step.cache(), batch.rows);
  }

  /**
   * Drops finished rows from the cache once they are at least half of it, and left padding no live
   * row needs; also whenever the padded cache would outgrow the context window.
   */
  private Batch compactIfWorthIt(List<Row> rows, Batch batch) {
    int live = 0;
    int minPad = Integer.MAX_VALUE;
    for (int r : batch.rows) {
      Row row = rows.get(r);
      if (!row.done) {
        live++;
        minPad = Math.min(minPad, row.padLeft);
      }
    }
    boolean full = batch.cache.length() + 1 >= config.maxContext();
    boolean sparse = live < batch.rows.length && live * 2 <= batch.rows.length;
    if (!full && !sparse) {
      return batch;
    }
    if (live == 0) {
      batch.cache.close();
      return new Batch(KvCache.empty(lm.env(), lm.layout(), 0), new int[0]);
    }
    int[] keep = new int[live];
    int[] keepRows = new int[live];
    int k = 0;
    for (int i = 0; i < batch.rows.length; i++) {
      Row row = rows.get(batch.rows[i]);
      if (!row.done) {
        row.padLeft -= minPad;
        keep[k] = i;
        keepRows[k++] = batch.rows[i];
      }
    }
    try (KvCache old = batch.cache) {
      return new Batch(old.gather(lm.env(), keep, minPad), keepRows);
    }
  }

  /** The rows (indexes into the row list) whose cache lines are {@code cache}, in order. */
  private record Batch(KvCache cache, int[] rows) {}

  /** One sequence being generated. */
  private static final class Row {
    final GenerationRequest request;
    final int requestIndex;
    final SplittableRandom rng;
    int padLeft;
    int[] tokens = new int[16];
    float[] logProbs = new float[16];
    int size;
    final StringBuilder tail = new StringBuilder();
    boolean done;
    Generation.Finish finish;

    Row(GenerationRequest request, int requestIndex, long seed) {
      this.request = request;
      this.requestIndex = requestIndex;
      this.rng = new SplittableRandom(seed);
    }

    int lastToken() {
      return tokens[size - 1];
    }

    /** Picks the next token from this row's logits and decides whether the row is done. */
    void accept(float[] logits, int offset, int vocab, Generator g) {
      int token = Sampler.next(logits, offset, vocab, request.params(), rng);
      if (size == tokens.length) {
        tokens = Arrays.copyOf(tokens, size * 2);
        logProbs = Arrays.copyOf(logProbs, size * 2);
      }
      tokens[size] = token;
      logProbs[size++] = Sampler.logProb(logits, offset, vocab, token);
      finish = g.finishOf(this, token);
      done = finish != null;
    }

    Generation toGeneration(TextTokenizer tokenizer) {
      int[] ids = Arrays.copyOf(tokens, size);
      return new Generation(ids, Arrays.copyOf(logProbs, size), tokenizer.decode(ids), finish);
    }
  }

  private Generation.Finish finishOf(Row row, int token) {
    if (token == config.eosTokenId() && !row.request.params().ignoreEos()) {
      return Generation.Finish.EOS;
    }
    if (token < pieces.length) {
      row.tail.append(pieces[token]);
      if (row.tail.length() > 256) {
        row.tail.delete(0, row.tail.length() - 128);
      }
      for (String stop : row.request.params().stopStrings()) {
        if (endsWith(row.tail, stop)) {
          return Generation.Finish.STOP_STRING;
        }
      }
    }
    if (row.size >= row.request.params().maxNewTokens()) {
      return Generation.Finish.MAX_NEW_TOKENS;
    }
    if (row.request.promptIds().length + row.size >= config.maxContext()) {
      return Generation.Finish.CONTEXT_FULL;
    }
    return null;
  }

  private static boolean endsWith(StringBuilder text, String suffix) {
    int start = text.length() - suffix.length();
    return start >= 0 && text.indexOf(suffix, start) == start;
  }
}
