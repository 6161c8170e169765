package io.rewardstream.inference;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The batched KV-cache generation loop with continuous batching: requests wait in a queue, the
 * running batch holds up to {@code maxRows} sequences, and each decode step advances all of them.
 *
 * <ul>
 *   <li>Prompts are left-padded to the longest; padding is masked out and position ids count real
 *       tokens only, so a row's tokens do not depend on what else is in the batch.
 *   <li>With prefix sharing, the N samples of one prompt prefill it once and copy its KV cache N
 *       times ({@link KvCache#gather}).
 *   <li>When rows finish, waiting requests are prefilled and join the running batch ({@link
 *       KvCache#merge}) instead of waiting for its longest row; work submitted while the batch runs
 *       (a reflection whose anchor just became known) joins the same way. Joining costs a copy of
 *       the batch's cache, so it waits until the rows that can join are at least a quarter of the
 *       live ones (or the batch would otherwise compact anyway).
 *   <li>Finished rows are fed padding until at least half the batch has finished (or rows join),
 *       then the cache is compacted so they stop costing work (a copy per compaction, not per
 *       step).
 * </ul>
 *
 * Not thread-safe: one generator per model session, driven by one thread at a time.
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
   * @param maxRows most sequences decoded together; 0 = no limit (all at once)
   * @return per request, its generations in sample order
   */
  List<List<Generation>> generate(List<GenerationRequest> requests, int maxRows) {
    Queue queue = new Queue(maxRows);
    List<List<Generation>> out = new ArrayList<>(Collections.nCopies(requests.size(), null));
    for (int q = 0; q < requests.size(); q++) {
      final int index = q;
      queue.submit(requests.get(q), generations -> out.set(index, generations));
    }
    queue.run();
    return out;
  }

  /** A continuous batch: requests submitted before or while it runs. */
  final class Queue {
    private final int maxRows;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final List<Pending> completed = new ArrayList<>();
    private long steps;
    private long joins;

    Queue(int maxRows) {
      if (maxRows < 0) {
        throw new IllegalArgumentException("max batch rows must be >= 0 (0 = no limit)");
      }
      this.maxRows = maxRows;
    }

    /**
     * Queues a request; {@code whenDone} gets its generations (in sample order) on the thread
     * running {@link #run}, and may submit more work.
     */
    void submit(GenerationRequest request, Consumer<List<Generation>> whenDone) {
      checkContext(request);
      Pending p = new Pending(request, whenDone);
      for (long seed : request.sampleSeeds()) {
        p.rows.add(new Row(request, p, seed));
      }
      pending.add(p);
    }

    /** Decodes until every request, including those submitted meanwhile, has completed. */
    void run() {
      Batch batch = new Batch(KvCache.empty(lm.env(), lm.layout(), 0), List.of());
      try {
        while (true) {
          batch = reshape(batch);
          if (batch.rows.isEmpty()) {
            if (pending.isEmpty()) {
              return;
            }
            continue; // everything admitted finished at its first token, and queued more
          }
          batch = step(batch);
          steps++;
          complete();
        }
      } finally {
        batch.cache.close();
      }
    }

    /** Decode steps run so far (all rows advance one token per step). */
    long steps() {
      return steps;
    }

    /** Times waiting requests joined a running batch. */
    long joins() {
      return joins;
    }

    /**
     * Drops finished rows and lets waiting requests join, in one copy, when it is worth it: the
     * batch is empty, at least half of it has finished, it would outgrow the context window, or the
     * rows that could join are at least a quarter of the live ones.
     */
    private Batch reshape(Batch batch) {
      List<Row> live = new ArrayList<>();
      int minPad = Integer.MAX_VALUE;
      for (Row row : batch.rows) {
        if (!row.done) {
          live.add(row);
          minPad = Math.min(minPad, row.padLeft);
        }
      }
      int free = maxRows == 0 ? Integer.MAX_VALUE : maxRows - live.size();
      int admissible = admissible(free, live.isEmpty());
      int joinable = rowsOfFirst(admissible);
      boolean full = batch.cache.length() + 1 >= config.maxContext();
      boolean sparse = live.size() < batch.rows.size() && live.size() * 2 <= batch.rows.size();
      boolean join = joinable > 0 && (live.isEmpty() || sparse || joinable * 4 >= live.size());
      if (!full && !sparse && !join) {
        return batch;
      }
      KvCache.Part kept = null;
      if (!live.isEmpty()) {
        int[] keep = new int[live.size()];
        int k = 0;
        for (int i = 0; i < batch.rows.size(); i++) {
          if (!batch.rows.get(i).done) {
            keep[k++] = i;
          }
        }
        kept = new KvCache.Part(batch.cache, keep, minPad);
        for (Row row : live) {
          row.padLeft -= minPad;
        }
      }
      Batch joining = join ? prefill(admit(admissible)) : null;
      try {
        List<KvCache.Part> parts = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        if (kept != null) {
          parts.add(kept);
          rows.addAll(live);
        }
        KvCache.Part added = null;
        if (joining != null && !joining.rows.isEmpty()) {
          int[] all = new int[joining.rows.size()];
          Arrays.setAll(all, i -> i);
          added = new KvCache.Part(joining.cache, all, 0);
          parts.add(added);
          rows.addAll(joining.rows);
          if (kept != null) {
            joins++;
          }
        }
        for (Row row : live) {
          row.padLeft += kept == null ? 0 : KvCache.padAdded(parts, kept);
        }
        if (added != null) {
          for (Row row : joining.rows) {
            row.padLeft += KvCache.padAdded(parts, added);
          }
        }
        KvCache cache =
            parts.isEmpty()
                ? KvCache.empty(lm.env(), lm.layout(), 0)
                : KvCache.merge(lm.env(), lm.layout(), parts);
        return new Batch(cache, rows);
      } finally {
        batch.cache.close();
        if (joining != null) {
          joining.cache.close();
        }
        complete();
      }
    }

    /**
     * How many waiting requests, taken in order, fit in {@code free} slots; into an empty batch the
     * first always goes (a request with more samples than the limit runs alone).
     */
    private int admissible(int free, boolean empty) {
      int count = 0;
      int rows = 0;
      for (Pending p : pending) {
        if (rows + p.rows.size() > free && !(empty && count == 0)) {
          break;
        }
        rows += p.rows.size();
        count++;
      }
      return count;
    }

    private int rowsOfFirst(int requests) {
      int rows = 0;
      Iterator<Pending> it = pending.iterator();
      for (int i = 0; i < requests; i++) {
        rows += it.next().rows.size();
      }
      return rows;
    }

    private List<Pending> admit(int requests) {
      List<Pending> out = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        out.add(pending.poll());
      }
      return out;
    }

    /**
     * Prefills each request's prompt once for all its samples, samples each row's first token, and
     * returns the rows still running with their cache (the prefilled lines copied once per sample).
     * A caller that wants one prefill per sample (the prefix benchmark) sends one request per seed.
     */
    private Batch prefill(List<Pending> admitted) {
      List<Row> rows = new ArrayList<>();
      List<Integer> unitOfRow = new ArrayList<>();
      int width = 0;
      for (int u = 0; u < admitted.size(); u++) {
        rows.addAll(admitted.get(u).rows);
        for (int k = 0; k < admitted.get(u).rows.size(); k++) {
          unitOfRow.add(u);
        }
        width = Math.max(width, admitted.get(u).request.promptIds().length);
      }
      int units = admitted.size();
      long[] ids = new long[units * width];
      long[] mask = new long[units * width];
      long[] pos = new long[units * width];
      for (int u = 0; u < units; u++) {
        int[] prompt = admitted.get(u).request.promptIds();
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
      List<Row> running = new ArrayList<>();
      List<Integer> lines = new ArrayList<>();
      for (int r = 0; r < rows.size(); r++) {
        Row row = rows.get(r);
        row.padLeft = width - row.request.promptIds().length;
        row.accept(step.logits(), unitOfRow.get(r) * vocab, vocab, Generator.this);
        if (!row.done) { // a row done at its first token (a one-token request) needs no cache
          running.add(row);
          lines.add(unitOfRow.get(r));
        }
      }
      KvCache cache = step.cache();
      // With one sample per request and every row running (greedy judgments, reflections) the
      // rows already are the prefill units: copying the cache would buy nothing.
      if (running.size() == units && rows.size() == units) {
        return new Batch(cache, running);
      }
      try (KvCache prefilled = cache) {
        return new Batch(
            prefilled.gather(lm.env(), lines.stream().mapToInt(Integer::intValue).toArray()),
            running);
      }
    }

    private Batch step(Batch batch) {
      int n = batch.rows.size();
      int past = batch.cache.length();
      int total = past + 1;
      long[] ids = new long[n];
      long[] mask = new long[n * total];
      long[] pos = new long[n];
      for (int i = 0; i < n; i++) {
        Row row = batch.rows.get(i);
        ids[i] = row.done ? config.padTokenId() : row.lastToken();
        Arrays.fill(mask, i * total + row.padLeft, (i + 1) * total, 1L);
        pos[i] = past - row.padLeft;
      }
      OnnxCausalLm.Step step = lm.forward(ids, n, 1, mask, pos, batch.cache, false);
      batch.cache.close();
      int vocab = step.vocab(n);
      for (int i = 0; i < n; i++) {
        Row row = batch.rows.get(i);
        if (!row.done) {
          row.accept(step.logits(), i * vocab, vocab, Generator.this);
        }
      }
      return new Batch(step.cache(), batch.rows);
    }

    /** Hands every request whose rows have all finished its generations (may queue more work). */
    private void complete() {
      while (!completed.isEmpty()) {
        List<Pending> done = new ArrayList<>(completed);
        completed.clear();
        for (Pending p : done) {
          List<Generation> generations = new ArrayList<>();
          for (Row row : p.rows) {
            generations.add(row.toGeneration(tokenizer));
          }
          p.whenDone.accept(generations);
        }
      }
    }

    /** A submitted request, its rows and its continuation. */
    private final class Pending {
      final GenerationRequest request;
      final Consumer<List<Generation>> whenDone;
      final List<Row> rows = new ArrayList<>();
      int finished;

      Pending(GenerationRequest request, Consumer<List<Generation>> whenDone) {
        this.request = request;
        this.whenDone = whenDone;
      }

      void rowFinished() {
        if (++finished == rows.size()) {
          completed.add(this);
        }
      }
    }
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

  /** The rows whose cache lines are {@code cache}, in order. */
  private record Batch(KvCache cache, List<Row> rows) {}

  /** One sequence being generated. */
  private static final class Row {
    final GenerationRequest request;
    final Queue.Pending owner;
    final SplittableRandom rng;
    int padLeft;
    int[] tokens = new int[16];
    float[] logProbs = new float[16];
    int size;
    final StringBuilder tail = new StringBuilder();
    boolean done;
    Generation.Finish finish;

    Row(GenerationRequest request, Queue.Pending owner, long seed) {
      this.request = request;
      this.owner = owner;
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
      if (done) {
        owner.rowFinished();
      }
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
