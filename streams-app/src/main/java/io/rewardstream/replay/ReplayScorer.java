package io.rewardstream.replay;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.judge.Judge;
import io.rewardstream.judge.Verdict;
import io.rewardstream.scoring.BatchScorer;
import io.rewardstream.scoring.DeadLetters;
import io.rewardstream.scoring.PairInputs;
import io.rewardstream.scoring.Rejection;
import io.rewardstream.scoring.RewardResults;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The Kafka-free core of a replay: validates raw input records the way the pipeline does, skips
 * rollouts the output already holds, scores the rest in batches and hands each batch's results and
 * dead letters to a {@link Sink} (which writes them in one transaction).
 *
 * <p>Skipping what is already written is what makes a rerun (after a crash, or by mistake) add
 * nothing a read_committed consumer could see twice: the sink commits whole batches only, and the
 * next run starts from what was committed.
 */
public final class ReplayScorer {

  /** Where a scored batch goes; called once per batch, in input order. */
  public interface Sink {
    void write(List<RewardResult> results, List<DeadLetter> deadLetters);
  }

  /** One raw input record and when it was read (epoch ms). */
  public record Input(
      String topic, int partition, long offset, byte[] key, byte[] value, long readAtMs) {}

  /** A source position already dead-lettered by an earlier run. */
  public record Position(String topic, int partition, long offset) {}

  private record Pending(RolloutPair pair, Input input) {}

  private final BatchScorer scorer;
  private final Judge judge;
  private final Function<byte[], RolloutPair> decoder;
  private final Set<String> alreadyScored;
  private final Set<Position> alreadyDeadLettered;
  private final int batchSize;
  private final int maxPromptTokens;
  private final LongSupplier clock;
  private final Sink sink;
  private final List<Pending> batch = new ArrayList<>();
  private final List<DeadLetter> letters = new ArrayList<>();
  private final Counts counts = new Counts();

  /**
   * @param decoder bytes to pair; throws on undecodable bytes
   * @param alreadyScored rollout ids the output already holds; ids scored now are added
   * @param alreadyDeadLettered positions the dead-letter topic already holds (not written again)
   * @param maxPromptTokens the pipeline's token budget; 0 = no check
   */
  public ReplayScorer(
      Judge judge,
      Function<byte[], RolloutPair> decoder,
      Set<String> alreadyScored,
      Set<Position> alreadyDeadLettered,
      int batchSize,
      int maxPromptTokens,
      LongSupplier clock,
      Sink sink) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    this.scorer = new BatchScorer(judge);
    this.judge = judge;
    this.decoder = decoder;
    this.alreadyScored = alreadyScored;
    this.alreadyDeadLettered = alreadyDeadLettered;
    this.batchSize = batchSize;
    this.maxPromptTokens = maxPromptTokens;
    this.clock = clock;
    this.sink = sink;
  }

  /** Takes one record of the range; scores and writes a batch when it is full. */
  public void accept(Input input) {
    counts.read++;
    RolloutPair pair;
    try {
      pair = input.value() == null ? null : decoder.apply(input.value());
    } catch (RuntimeException e) {
      reject(input, null, Rejection.undecodable(e));
      return;
    }
    if (pair == null) {
      reject(input, null, new Rejection(DeadLetterReason.UNDECODABLE, "value is null, not a pair"));
      return;
    }
    Optional<Rejection> rejection = Rejection.checkFields(pair).or(() -> overBudget(pair));
    if (rejection.isPresent()) {
      reject(input, pair, rejection.get());
      return;
    }
    if (!alreadyScored.add(pair.getRolloutId())) {
      // In the output already: scored by an earlier run of this replay, or earlier in the range.
      counts.skipped++;
      return;
    }
    batch.add(new Pending(pair, input));
    if (batch.size() >= batchSize) {
      flush();
    }
  }

  /** Scores and writes what is pending (a last, partial batch). */
  public void flush() {
    if (batch.isEmpty() && letters.isEmpty()) {
      return;
    }
    List<Verdict> verdicts =
        scorer.score(batch.stream().map(p -> PairInputs.of(p.pair())).toList());
    long now = clock.getAsLong();
    List<RewardResult> results = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Pending p = batch.get(i);
      Verdict v = verdicts.get(i);
      Input in = p.input();
      results.add(
          RewardResults.of(
              v,
              p.pair(),
              in.topic(),
              in.partition(),
              in.offset(),
              judge.info(),
              now - in.readAtMs(),
              now));
      if (v.ok()) {
        counts.scored++;
      } else {
        counts.failed++;
        deadLetter(in, p.pair(), DeadLetterReason.SCORING_FAILED, v.failureReason());
      }
    }
    sink.write(List.copyOf(results), List.copyOf(letters));
    batch.clear();
    letters.clear();
  }

  /** What happened so far. */
  public Counts counts() {
    return counts;
  }

  /** Counters of a replay; {@code invalid} by reason code. */
  public static final class Counts {
    long read;
    long scored;
    long failed;
    long skipped;
    final Map<String, Long> invalid = new TreeMap<>();

    public long read() {
      return read;
    }

    /** Results written with status OK. */
    public long scored() {
      return scored;
    }

    /** Results written with status FAILED (also dead-lettered). */
    public long failed() {
      return failed;
    }

    /** Valid pairs not scored because their rollout id already has a result. */
    public long skipped() {
      return skipped;
    }

    /** Invalid records (undecodable, missing or empty fields, over budget) by reason code. */
    public Map<String, Long> invalid() {
      return Map.copyOf(invalid);
    }

    public long invalidTotal() {
      return invalid.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private Optional<Rejection> overBudget(RolloutPair pair) {
    try {
      return Rejection.checkBudget(judge, PairInputs.of(pair), maxPromptTokens);
    } catch (RuntimeException e) {
      return Optional.of(
          new Rejection(
              DeadLetterReason.OTHER, "counting prompt tokens failed: " + BatchScorer.describe(e)));
    }
  }

  private void reject(Input input, RolloutPair pair, Rejection why) {
    counts.invalid.merge(why.code().name(), 1L, Long::sum);
    deadLetter(input, pair, why.code(), why.reason());
    if (letters.size() >= batchSize) {
      flush();
    }
  }

  /** Queues a dead letter for the next write, unless an earlier run wrote it already. */
  private void deadLetter(Input in, RolloutPair pair, DeadLetterReason code, String reason) {
    if (alreadyDeadLettered.contains(new Position(in.topic(), in.partition(), in.offset()))) {
      return;
    }
    letters.add(
        DeadLetters.of(
            code,
            reason,
            pair,
            in.topic(),
            in.partition(),
            in.offset(),
            in.key(),
            in.value(),
            clock.getAsLong()));
  }
}
