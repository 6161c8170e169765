package io.rewardstream.topology;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.judge.JudgeInfo;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.Verdict;
import io.rewardstream.scoring.BatchScorer;
import io.rewardstream.scoring.PairInputs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Buffers valid pairs in a changelogged store and scores them in batches.
 *
 * <p>A batch is scored when {@code batchSize} pairs are buffered (in {@link #process}, or by the
 * punctuator when the buffer filled while the budget was spent) or when the oldest has waited
 * {@code maxWaitMs} (wall-clock punctuator), and only when the thread's {@link CommitBudget} allows
 * a batch in the current transaction. Scoring a batch makes one judge call, forwards one
 * RewardResult per pair (plus a DeadLetter per failed pair) and deletes the pairs from the store,
 * all in the same process/punctuate call and so in the same EOS transaction: after a crash either
 * all of it is committed or the batch is still buffered and is scored again, with the same seeded
 * verdicts. After a batch the processor asks for a commit, so the next batch (of any partition) can
 * start at once.
 *
 * <p><b>Poison pairs.</b> A pair that kills the process while it is scored (a native crash in the
 * runtime, an out-of-memory, a SIGKILL by the orchestrator) would otherwise be scored again by
 * every instance that takes the partition, forever. So a batch is <i>armed</i> before it is scored:
 * each pair's attempt count ({@link RewardTopology#ATTEMPTS_STORE}) is raised and committed first,
 * and the batch is scored only once that commit is known ({@link CommitBudget#committedSince}); its
 * result then deletes the count in the scoring transaction. A count that survives a restart is an
 * attempt that never committed. A pair with such a count is scored alone, so one poison pair does
 * not take its batch-mates' attempts with it, and at {@code poisonMaxAttempts} it is dead-lettered
 * POISON instead of scored. The next batch is armed in the same transaction that scores the current
 * one, so a backlog costs no extra commit.
 *
 * <p><b>Overlap</b> ({@code scoring.overlap=true}, a {@link JudgeLane}): a committed armed batch is
 * handed to the lane's thread instead of scored here, and its verdicts are forwarded (with the
 * deletions) by whichever call on the stream thread finds them ready (a record's arrival or the 10
 * ms check). Meanwhile the stream thread commits, polls, buffers and arms the next batch, so the
 * judge does not wait for Kafka. The pairs being scored stay buffered (and are skipped when the
 * next batch is picked) until their results are forwarded; a task closed in between drops the
 * verdicts, and the pairs, still buffered with their attempt counts, are scored again (alone, as
 * suspects) by whoever takes the partition.
 */
final class BatchBufferProcessor implements Processor<String, BufferedPair, String, Object> {

  /** How often a full buffer checks whether the budget is back (see {@link #init}). */
  static final Duration FULL_BATCH_CHECK = Duration.ofMillis(10);

  private final BatchScorer scorer;
  private final CommitBudget budget;
  private final JudgeInfo judgeInfo;
  private final int batchSize;
  private final long maxWaitMs;
  private final long duplicatesRetentionMs;
  private final int poisonMaxAttempts;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, BufferedPair> store;
  private Attempts attempts;
  private boolean scanOnFullCheck;

  private ScoredIds scored;
  private int buffered;

  /** The judge's own thread (overlap), or null to score on the stream thread. */
  private final JudgeLane lane;

  /** The batch the lane is scoring for this task (overlap), or null. */
  private InFlight inFlight;

  /** A batch handed to the lane: its pairs (still buffered) and the verdicts to come. */
  private record InFlight(
      List<KeyValue<String, BufferedPair>> batch,
      Set<String> keys,
      Future<List<Verdict>> verdicts) {}

  /**
   * When the last judge call ended, on the context's clock (ms). Kafka Streams caches that clock
   * per loop iteration, so the pairs processed right after a long judge call are stamped with a
   * time from before it; without this, the next punctuation would find them "waiting" for the whole
   * judge call and score them as a small batch, while the rest of a full batch sat queued.
   */
  private long lastScoredAtMs;

  BatchBufferProcessor(
      BatchScorer scorer,
      CommitBudget budget,
      JudgeInfo judgeInfo,
      int batchSize,
      long maxWaitMs,
      long duplicatesRetentionMs,
      int poisonMaxAttempts,
      JudgeLane lane) {
    this.lane = lane;
    this.duplicatesRetentionMs = duplicatesRetentionMs;
    this.poisonMaxAttempts = poisonMaxAttempts;
    this.scorer = scorer;
    this.budget = budget;
    this.judgeInfo = judgeInfo;
    this.batchSize = batchSize;
    this.maxWaitMs = maxWaitMs;
  }

  /**
   * How often the punctuator looks at the oldest pair: a quarter of the max wait, so a pair waits
   * at most 1.25 x max wait; the look is one store scan of at most a batch.
   */
  static Duration checkInterval(long maxWaitMs) {
    return Duration.ofMillis(Math.max(1, maxWaitMs / 4));
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.store = context.getStateStore(RewardTopology.STORE);
    WindowStore<String, String> ids = context.getStateStore(RewardTopology.SCORED_STORE);
    this.scored = new ScoredIds(ids, duplicatesRetentionMs, "rollout_id", "rewards");
    // a re-initialised task starts with nothing armed and its counts as restored
    this.attempts =
        new Attempts(
            context,
            context.getStateStore(RewardTopology.ATTEMPTS_STORE),
            budget,
            poisonMaxAttempts);
    // Init runs after the store is restored from its changelog: count what survived a restart.
    this.buffered = Buffered.oldestFirst(store).size();
    context.schedule(checkInterval(maxWaitMs), PunctuationType.WALL_CLOCK_TIME, this::onTick);
    // A full buffer that waited for another partition's batch starts as soon as the commit gives
    // the budget back, not a quarter of the max wait later: a cheap check, no store scan.
    context.schedule(FULL_BATCH_CHECK, PunctuationType.WALL_CLOCK_TIME, now -> fullBatchCheck());
  }

  @Override
  public void process(Record<String, BufferedPair> record) {
    long now = context.currentSystemTimeMs();
    String duplicate = scored.duplicateReason(record.key(), store.get(record.key()) != null, now);
    if (duplicate != null) {
      forwardDeadLetter(record.value().deadLetter(DeadLetterReason.DUPLICATE, duplicate, now));
      return;
    }
    store.put(record.key(), record.value());
    buffered++;
    scoreFullBatches();
  }

  /** Scores full batches while the budget allows (a scan of the buffer only when it does). */
  private void scoreFullBatches() {
    step(context.currentSystemTimeMs(), false);
  }

  /** The 10 ms check: like a record's arrival, but may also top up a waiting armed batch. */
  private void fullBatchCheck() {
    scanOnFullCheck = true;
    try {
      step(context.currentSystemTimeMs(), false);
    } finally {
      scanOnFullCheck = false;
    }
  }

  /**
   * Fills a partial armed batch of fresh pairs (every attempt count 1) with the oldest fresh pairs
   * not in it, so that a batch armed at its max wait, which then waits for another partition's
   * batch, is not scored with fewer pairs than the buffer holds by then. Not for a suspect.
   */
  private void topUp() {
    List<String> armed = attempts.armedKeys();
    if (armed.size() >= batchSize || waiting() <= armed.size()) {
      return;
    }
    for (String key : armed) {
      if (attempts.of(key) != 1) {
        return;
      }
    }
    List<String> more = new ArrayList<>();
    for (KeyValue<String, BufferedPair> entry : notInFlight(Buffered.oldestFirst(store))) {
      if (armed.size() + more.size() >= batchSize) {
        break;
      }
      if (!armed.contains(entry.key) && attempts.of(entry.key) == 0) {
        more.add(entry.key);
      }
    }
    if (!more.isEmpty()) {
      attempts.extend(more);
    }
  }

  private void onTick(long now) {
    step(now, true);
  }

  /**
   * Scores the armed batch once its attempts are committed and the budget allows, and arms the next
   * batch that is due (full, or on a tick, its oldest pair waited the max wait).
   */
  private void step(long now, boolean tick) {
    while (true) {
      if (inFlight != null && inFlight.verdicts().isDone()) {
        InFlight done = inFlight;
        inFlight = null;
        lane.claimed(done.verdicts());
        List<Verdict> verdicts = verdictsOf(done);
        submitArmedIfCommitted(); // the judge goes on before the results are written
        emit(done, verdicts);
      }
      if (attempts.armed()) {
        List<String> batch = attempts.committedBatch(key -> store.get(key) != null);
        if (batch == null) {
          if (tick || scanOnFullCheck) {
            topUp(); // while it waits, pairs that arrived since join it, up to a full batch
          }
          return; // the next commit makes the attempts durable; a punctuation looks again
        }
        if (lane != null) {
          if (inFlight != null || !lane.accepts()) {
            return; // the lane scores a batch (this task's or another's): the 10 ms check looks
            // again
          }
          attempts.disarm();
          submit(batch);
        } else {
          // the 10 ms check does not count a deferral; the max-wait tick (and process) do
          if ((!tick && !budget.available()) || !budget.tryAcquire()) {
            return; // another partition's batch is in this transaction
          }
          attempts.disarm();
          scoreBatch(batch);
        }
      }
      int waiting = waiting();
      if (waiting <= 0 || !(waiting >= batchSize || (tick && waitedLongEnough(now)))) {
        return;
      }
      if (waiting < batchSize && !couldScoreNext()) {
        // a partial batch is armed only when it could be scored next, so that it takes every
        // pair that arrived while another batch held the transaction (or the lane)
        return;
      }
      if (!arm(context.currentSystemTimeMs())) {
        return;
      }
    }
  }

  /** Whether a batch armed now could be scored as soon as it is committed. */
  private boolean couldScoreNext() {
    return lane == null ? budget.available() : inFlight == null && lane.accepts();
  }

  /** Buffered pairs not being scored by the lane. */
  private int waiting() {
    return buffered - (inFlight == null ? 0 : inFlight.batch().size());
  }

  /** The entries without those the lane is scoring. */
  private List<KeyValue<String, BufferedPair>> notInFlight(
      List<KeyValue<String, BufferedPair>> entries) {
    if (inFlight == null) {
      return entries;
    }
    return entries.stream().filter(e -> !inFlight.keys().contains(e.key)).toList();
  }

  /** Whether the oldest buffered pair has waited the max wait (reads the oldest pair). */
  private boolean waitedLongEnough(long now) {
    List<KeyValue<String, BufferedPair>> all = Buffered.oldestFirst(store);
    if (all.isEmpty()) {
      buffered = 0;
      return false;
    }
    List<KeyValue<String, BufferedPair>> entries = notInFlight(all);
    if (entries.isEmpty()) {
      return false;
    }
    // the max wait counts from the oldest pair's arrival, but not from before the judge was free
    long waitingSince = Math.max(entries.get(0).value.arrivalMs(), lastScoredAtMs);
    return now - waitingSince >= maxWaitMs;
  }

  /**
   * Picks the next batch (the oldest pairs; the oldest pair with a failed attempt alone), dead-
   * letters the pairs that used up their attempts, raises the others' attempts and asks for a
   * commit.
   *
   * @return whether a batch is armed
   */
  private boolean arm(long now) {
    List<KeyValue<String, BufferedPair>> all = Buffered.oldestFirst(store);
    buffered = all.size();
    List<KeyValue<String, BufferedPair>> entries = notInFlight(all);
    List<String> batch = new ArrayList<>();
    for (KeyValue<String, BufferedPair> entry : entries) {
      if (attempts.exhausted(entry.key)) {
        String reason = attempts.poisonReason("pair", entry.key);
        forwardDeadLetter(entry.value.deadLetter(DeadLetterReason.POISON, reason, now));
        store.delete(entry.key);
        attempts.clear(entry.key);
        buffered--;
      } else if (attempts.of(entry.key) > 0) {
        batch = new ArrayList<>(List.of(entry.key)); // a suspect is scored alone
        break;
      } else if (batch.size() < batchSize) {
        batch.add(entry.key);
      }
    }
    if (batch.isEmpty()) {
      return false;
    }
    attempts.arm(batch);
    return true;
  }

  /** The keys' pairs that are still buffered, in the keys' order. */
  private List<KeyValue<String, BufferedPair>> stillBuffered(List<String> keys) {
    List<KeyValue<String, BufferedPair>> batch = new ArrayList<>();
    for (String key : keys) {
      BufferedPair pair = store.get(key);
      if (pair != null) {
        batch.add(KeyValue.pair(key, pair));
      }
    }
    return batch;
  }

  /** Scores the armed batch (those of its pairs still buffered) and asks for a commit. */
  private void scoreBatch(List<String> keys) {
    List<KeyValue<String, BufferedPair>> batch = stillBuffered(keys);
    if (batch.isEmpty()) {
      return;
    }
    scoreAndEmit(batch);
    buffered -= batch.size();
    context.commit();
  }

  /** Hands the armed batch (those of its pairs still buffered) to the lane. */
  private void submit(List<String> keys) {
    List<KeyValue<String, BufferedPair>> batch = stillBuffered(keys);
    if (batch.isEmpty()) {
      return;
    }
    List<PairInput> inputs = batch.stream().map(e -> PairInputs.of(e.value.pair())).toList();
    inFlight =
        new InFlight(
            batch,
            batch.stream().map(e -> e.key).collect(Collectors.toUnmodifiableSet()),
            lane.submit(inputs));
  }

  /**
   * The lane's verdicts of a finished batch (a judge error is rethrown as on the stream thread).
   */
  private static List<Verdict> verdictsOf(InFlight done) {
    try {
      return done.verdicts().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime; // e.g. the judge is closing: as when scored on the stream thread
      }
      throw new IllegalStateException("the judge lane failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while taking the judge lane's verdicts", e);
    }
  }

  /**
   * Hands the armed batch to the lane at once if its attempts are committed, so the judge does not
   * wait while the previous batch's results are written. The armed batch never holds a pair of the
   * batch just finished (those were excluded when it was picked).
   */
  private void submitArmedIfCommitted() {
    if (!attempts.armed() || !lane.accepts()) {
      return;
    }
    List<String> batch = attempts.committedBatch(key -> store.get(key) != null);
    if (batch != null) {
      attempts.disarm();
      submit(batch);
    }
  }

  /**
   * Forwards a finished batch's verdicts (for its pairs still buffered), drops them from the buffer
   * and asks for a commit.
   */
  private void emit(InFlight done, List<Verdict> verdicts) {
    long scoredAt = context.currentSystemTimeMs();
    lastScoredAtMs = scoredAt;
    int emitted = 0;
    for (int i = 0; i < done.batch().size(); i++) {
      String key = done.batch().get(i).key;
      if (store.get(key) != null) {
        emit(key, done.batch().get(i).value, verdicts.get(i), scoredAt);
        emitted++;
      }
    }
    buffered -= emitted;
    context.commit();
  }

  @Override
  public void close() {
    // Verdicts still to come are dropped: the pairs stay buffered (and their attempts counted).
    if (inFlight != null) {
      lane.claimed(inFlight.verdicts());
      inFlight = null;
    }
  }

  private void scoreAndEmit(List<KeyValue<String, BufferedPair>> batch) {
    List<PairInput> inputs = batch.stream().map(e -> PairInputs.of(e.value.pair())).toList();
    long start = System.nanoTime();
    List<Verdict> verdicts = scorer.score(inputs);
    // The context's clock is cached per loop iteration; add the judge's own time to it.
    long scoredAt = context.currentSystemTimeMs() + (System.nanoTime() - start) / 1_000_000;
    lastScoredAtMs = scoredAt;
    for (int i = 0; i < batch.size(); i++) {
      emit(batch.get(i).key, batch.get(i).value, verdicts.get(i), scoredAt);
    }
  }

  /** Forwards the pair's result (and dead letter if it failed), then drops it from the buffer. */
  private void emit(String key, BufferedPair pair, Verdict verdict, long scoredAt) {
    RewardResult result;
    try {
      result = Results.of(verdict, pair, judgeInfo, scoredAt);
    } catch (RuntimeException e) {
      // A verdict the result cannot hold (e.g. a null enum): still one FAILED result, no crash.
      verdict = Verdict.failed(key, verdict.seed(), "invalid verdict: " + BatchScorer.describe(e));
      result = Results.of(verdict, pair, judgeInfo, scoredAt);
    }
    context.forward(new Record<>(key, result, scoredAt), RewardTopology.REWARDS_SINK);
    scored.record(key, pair.sourceTopic(), pair.sourcePartition(), pair.sourceOffset(), scoredAt);
    if (!verdict.ok()) {
      String reason = "scoring failed: " + verdict.failureReason();
      forwardDeadLetter(pair.deadLetter(DeadLetterReason.SCORING_FAILED, reason, scoredAt));
    }
    store.delete(key);
    attempts.clear(key);
  }

  private void forwardDeadLetter(DeadLetter letter) {
    context.forward(
        new Record<>(letter.getRolloutId(), letter, letter.getFailedAt().toEpochMilli()),
        RewardTopology.DLQ_SINK);
  }
}
