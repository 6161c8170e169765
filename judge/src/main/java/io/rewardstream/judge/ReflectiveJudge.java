package io.rewardstream.judge;

import io.rewardstream.inference.Generation;
import io.rewardstream.inference.GenerationQueue;
import io.rewardstream.inference.GenerationRequest;
import io.rewardstream.inference.InferenceOptions;
import io.rewardstream.inference.LanguageModel;
import io.rewardstream.inference.SamplingParams;
import io.rewardstream.judge.Ballot.Judgment;
import io.rewardstream.judge.Ballot.Outcome;
import io.rewardstream.judge.JudgeOptions.Mode;
import io.rewardstream.judge.Verdict.Candidate;
import io.rewardstream.judge.Verdict.CandidateVerdict;
import io.rewardstream.judge.Verdict.Order;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reflective generative judge (ReflectRM, arXiv 2604.07506 §3.3) and its cheaper modes.
 *
 * <p>A batch is one continuous batch in the engine ({@link GenerationQueue}): every pair's N
 * judgments are queued (the prompt of each order prefilled once, shared by its samples), and as
 * soon as a pair's judgments are back its reflections are queued, to run beside the judgments of
 * pairs still generating rather than after the slowest of them. In reflect mode the anchors are per
 * order, our order-balanced variant: a critique is compared with the most confident critique
 * written about the responses in the same order, so both critiques in a reflection prompt refer to
 * the same "Response 1" (comparing across orders would need the labels in one critique rewritten,
 * which a model was never trained to read).
 *
 * <p>Everything random is seeded from (rollout id, judge version): the same pair scored twice, in
 * any batch, gives the same verdict.
 */
public final class ReflectiveJudge implements Judge {

  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private static final Logger LOG = LoggerFactory.getLogger(ReflectiveJudge.class);

  private final LanguageModel model;
  private final JudgeConfig config;
  private final JudgeSettings settings;
  private final Mode mode;
  private final int samples;
  private final SamplingParams judgmentParams;
  private final SamplingParams reflectionParams;
  private final PromptBuilder prompts;
  private final VerdictParser responseParser;
  private final VerdictParser critiqueParser;
  private final VerdictForcing responseForcing;
  private final VerdictForcing critiqueForcing;
  private final JudgeInfo info;

  ReflectiveJudge(LanguageModel model, JudgeConfig config, JudgeOptions options) {
    this.model = model;
    this.config = config;
    this.settings = JudgeSettings.resolve(options, config);
    this.mode = settings.mode();
    this.samples = settings.samples();
    this.judgmentParams =
        new SamplingParams(
            settings.temperature(),
            mode == Mode.GREEDY ? 1 : config.topP(),
            config.maxNewTokens(),
            config.stopStrings());
    this.reflectionParams =
        SamplingParams.greedy(config.reflectionMaxNewTokens(), config.stopStrings());
    this.prompts = new PromptBuilder(config);
    this.responseParser = new VerdictParser(config.responsePattern(), config.responseLabels());
    this.critiqueParser = new VerdictParser(config.critiquePattern(), config.critiqueLabels());
    this.responseForcing =
        VerdictForcing.of(config.forcedResponse(), config.responseLabels(), model, "response");
    this.critiqueForcing =
        VerdictForcing.of(config.forcedCritique(), config.critiqueLabels(), model, "critique");
    this.info =
        new JudgeInfo(
            model.config().id(), model.config().version(), model.modelHash(), mode.label());
  }

  /** Loads the model directory and its judge.json. The judge owns the model and closes it. */
  public static ReflectiveJudge open(Path dir, JudgeOptions options, InferenceOptions inference) {
    LanguageModel model = LanguageModel.load(dir, inference);
    dir = model.dir();
    try {
      ReflectiveJudge judge =
          new ReflectiveJudge(model, JudgeConfig.read(dir.resolve("judge.json")), options);
      LOG.info(
          "judge {} {}: {}",
          judge.info().id(),
          judge.info().version(),
          judge.settings().describe());
      return judge;
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  @Override
  public JudgeInfo info() {
    return info;
  }

  /** The mode, samples and temperature in use, and where each came from. */
  public JudgeSettings settings() {
    return settings;
  }

  @Override
  public int promptTokens(PairInput pair) {
    return model.encodePrompt(prompts.judgment(pair, Order.AB)).length;
  }

  @Override
  public int maxPromptTokens() {
    return model.config().maxContext() - config.maxNewTokens();
  }

  @Override
  public List<Verdict> judge(List<PairInput> batch) {
    List<PairWork> work = new ArrayList<>();
    GenerationQueue queue = model.queue();
    for (PairInput pair : batch) {
      PairWork w = new PairWork(pair, seedOf(pair.rolloutId(), info.version()));
      work.add(w);
      submitJudgments(queue, w);
    }
    queue.run();
    List<Verdict> out = new ArrayList<>();
    for (PairWork w : work) {
      out.add(
          w.failure != null ? Verdict.failed(w.pair.rolloutId(), w.seed, w.failure) : decide(w));
    }
    return out;
  }

  /** Seed of all sampling for a pair: the first 8 bytes of SHA-256(rollout id, 0, version). */
  static long seedOf(String rolloutId, String judgeVersion) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest((rolloutId + '\0' + judgeVersion).getBytes(StandardCharsets.UTF_8));
      long seed = 0;
      for (int i = 0; i < 8; i++) {
        seed = (seed << 8) | (digest[i] & 0xFF);
      }
      return seed;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from this JVM", e);
    }
  }

  /**
   * Queues a pair's judgments, both orders. Each order's completion queues the forced verdict lines
   * its unparsed judgments need; once both orders are complete (forced lines included), reflect
   * mode queues the pair's reflections at once, so they run while other pairs are still judging.
   */
  private void submitJudgments(GenerationQueue queue, PairWork w) {
    List<int[]> ids = new ArrayList<>();
    for (Order order : Order.values()) {
      int[] prompt = model.encodePrompt(prompts.judgment(w.pair, order));
      if (prompt.length + config.maxNewTokens() > model.config().maxContext()) {
        w.failure = tooLong(prompt.length);
        return;
      }
      ids.add(prompt);
    }
    w.outstanding = ids.size();
    for (Order order : Order.values()) {
      GenerationRequest request =
          new GenerationRequest(
              ids.get(order.ordinal()), sampleSeeds(w.seed, order), judgmentParams);
      queue.submit(request, generated -> judged(queue, w, order, request, generated));
    }
  }

  /** One order's judgments are back: record them, force the missing verdicts. */
  private void judged(
      GenerationQueue queue,
      PairWork w,
      Order order,
      GenerationRequest request,
      List<Generation> generated) {
    int first = w.addJudgments(order, generated);
    for (int k = 0; responseForcing != null && k < generated.size(); k++) {
      int index = first + k;
      Generation g = generated.get(k);
      if (w.slots[index].votes()) {
        continue;
      }
      GenerationRequest forced =
          responseForcing.request(request.promptIds(), g, w.seed, model.config().maxContext());
      if (forced != null) {
        w.outstanding++;
        queue.submit(
            forced,
            picked -> {
              w.forceJudgment(index, order, g, picked.get(0), responseForcing);
              judgmentDone(queue, w);
            });
      }
    }
    judgmentDone(queue, w);
  }

  private void judgmentDone(GenerationQueue queue, PairWork w) {
    if (--w.outstanding == 0 && mode == Mode.REFLECT) {
      submitReflections(queue, w);
    }
  }

  private String tooLong(int promptTokens) {
    return "prompt of "
        + promptTokens
        + " tokens plus "
        + config.maxNewTokens()
        + " to generate exceeds the judge's context of "
        + model.config().maxContext()
        + " tokens";
  }

  /** Candidate indexes [0, ceil(N/2)) see order AB, the rest order BA. */
  private long[] sampleSeeds(long seed, Order order) {
    int first = (samples + 1) / 2;
    int from = order == Order.AB ? 0 : first;
    int to = order == Order.AB ? first : samples;
    long[] seeds = new long[to - from];
    for (int i = from; i < to; i++) {
      seeds[i - from] = new SplittableRandom(seed ^ (GOLDEN * (i + 1))).nextLong();
    }
    return seeds;
  }

  /** Queues the comparison of every voting judgment of a pair with its order's anchor. */
  private void submitReflections(GenerationQueue queue, PairWork w) {
    SplittableRandom coin = new SplittableRandom(w.seed ^ 0x5DEECE66DL);
    w.anchors = Ballot.anchors(w.judgments());
    for (Judgment j : w.judgments()) {
      Judgment anchor = w.anchorOf(j.order());
      if (!j.votes() || anchor == null || anchor.index() == j.index()) {
        continue;
      }
      boolean anchorFirst = coin.nextBoolean();
      String a = w.texts.get(anchor.index());
      String c = w.texts.get(j.index());
      String prompt =
          prompts.reflection(w.pair, j.order(), anchorFirst ? a : c, anchorFirst ? c : a);
      int[] ids = model.encodePrompt(prompt);
      // Generate into whatever room the context leaves (a verdict cut short does not parse and
      // counts as lost); with no room at all the judgment stays "not compared".
      int room =
          Math.min(config.reflectionMaxNewTokens(), model.config().maxContext() - ids.length);
      if (room < 1) {
        continue;
      }
      SamplingParams params =
          room == config.reflectionMaxNewTokens()
              ? reflectionParams
              : SamplingParams.greedy(room, config.stopStrings());
      Comparison comparison = new Comparison(w, j.index(), anchorFirst);
      queue.submit(
          new GenerationRequest(ids, new long[] {w.seed}, params),
          generated -> {
            Generation g = generated.get(0);
            if (comparison.record(g, critiqueParser) || critiqueForcing == null) {
              return;
            }
            GenerationRequest forced =
                critiqueForcing.request(ids, g, w.seed, model.config().maxContext());
            if (forced != null) {
              queue.submit(
                  forced,
                  picked ->
                      comparison.recordForced(picked.get(0), critiqueForcing, critiqueParser));
            }
          });
    }
  }

  private Verdict decide(PairWork w) {
    List<Judgment> judgments = w.judgments();
    Outcome outcome =
        mode == Mode.REFLECT ? Ballot.reflect(w.winners(), w.anchors) : Ballot.majority(judgments);
    List<Candidate> candidates = new ArrayList<>();
    for (Judgment j : judgments) {
      boolean anchor = w.anchors.stream().anyMatch(a -> a.index() == j.index());
      candidates.add(
          new Candidate(
              j.index(),
              j.order(),
              j.verdict(),
              j.confidence(),
              anchor,
              w.won[j.index()],
              w.tokens[j.index()],
              w.texts.get(j.index())));
    }
    String chosen = outcome.chosenIndex() >= 0 ? w.texts.get(outcome.chosenIndex()) : "";
    return new Verdict(
        w.pair.rolloutId(),
        outcome.preferred(),
        outcome.pABetter(),
        outcome.rewardA(),
        outcome.rewardB(),
        chosen,
        outcome.chosenIndex(),
        List.copyOf(candidates),
        Ballot.positionConsistency(judgments),
        w.seed,
        w.generations,
        w.tokensUsed,
        null);
  }

  /** A pair's judgments and reflections as they come back from the engine. */
  private final class PairWork {
    final PairInput pair;
    final long seed;
    final Judgment[] slots = new Judgment[samples];
    final List<String> texts = new ArrayList<>(java.util.Collections.nCopies(samples, ""));
    final int[] tokens = new int[samples];
    final Boolean[] won = new Boolean[samples];
    List<Judgment> anchors = List.of();
    int outstanding; // judgment requests and forced verdict lines not back yet
    int generations;
    long tokensUsed;
    String failure;

    PairWork(PairInput pair, long seed) {
      this.pair = pair;
      this.seed = seed;
    }

    /** The verdict about A and B of a judgment that saw the responses in {@code order}. */
    private CandidateVerdict verdict(OptionalInt winner, Order order) {
      if (winner.isEmpty()) {
        return CandidateVerdict.ABSTAIN;
      }
      return (winner.getAsInt() == 0) == (order == Order.AB)
          ? CandidateVerdict.A
          : CandidateVerdict.B;
    }

    /** Records the generations of one order; returns the index of the first. */
    int addJudgments(Order order, List<Generation> generations) {
      int first = order == Order.AB ? 0 : (samples + 1) / 2;
      int index = first;
      for (Generation g : generations) {
        CandidateVerdict verdict = verdict(responseParser.winner(g.text()), order);
        slots[index] = new Judgment(index, order, verdict, Ballot.confidence(g.logProbs()));
        texts.set(index, g.text().strip());
        tokens[index] = g.tokenIds().length;
        count(g);
        index++;
      }
      return first;
    }

    /** A judgment without a verdict, completed by the forced verdict line the model picked. */
    void forceJudgment(
        int index, Order order, Generation g, Generation picked, VerdictForcing forcing) {
      String line = forcing.line(picked);
      String text = g.text().strip() + line;
      CandidateVerdict verdict = verdict(responseParser.winner(line), order);
      float[] logProbs = java.util.Arrays.copyOf(g.logProbs(), g.logProbs().length + 1);
      logProbs[logProbs.length - 1] = picked.logProbs()[0];
      slots[index] = new Judgment(index, order, verdict, Ballot.confidence(logProbs));
      texts.set(index, text);
      tokens[index] += 1;
      count(picked);
    }

    void count(Generation g) {
      generations++;
      tokensUsed += g.tokenIds().length;
    }

    List<Judgment> judgments() {
      return List.of(slots);
    }

    Judgment anchorOf(Order order) {
      return anchors.stream().filter(a -> a.order() == order).findFirst().orElse(null);
    }

    List<Judgment> winners() {
      List<Judgment> out = new ArrayList<>();
      for (Judgment j : slots) {
        if (Boolean.TRUE.equals(won[j.index()])) {
          out.add(j);
        }
      }
      return out;
    }
  }

  /** One reflection: judgment {@code index} against its anchor. */
  private record Comparison(PairWork work, int index, boolean anchorFirst) {
    /** Records the reflection's verdict; false when it has none (it then counts as lost). */
    boolean record(Generation g, VerdictParser parser) {
      work.count(g);
      OptionalInt winner = parser.winner(g.text());
      // The judgment wins when the critique in its position was preferred; no verdict = lost.
      work.won[index] = winner.isPresent() && winner.getAsInt() == (anchorFirst ? 1 : 0);
      return winner.isPresent();
    }

    /** A reflection without a verdict, decided by the forced verdict line. */
    void recordForced(Generation picked, VerdictForcing forcing, VerdictParser parser) {
      work.count(picked);
      OptionalInt winner = parser.winner(forcing.line(picked));
      work.won[index] = winner.isPresent() && winner.getAsInt() == (anchorFirst ? 1 : 0);
    }
  }

  @Override
  public void close() {
    model.close();
  }
}
