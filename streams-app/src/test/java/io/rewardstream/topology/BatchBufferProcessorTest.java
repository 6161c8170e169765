package io.rewardstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.avro.RewardResult;
import io.rewardstream.scoring.BatchScorer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;

/** The buffer as it is after a restart: pairs restored from the changelog, no record context. */
class BatchBufferProcessorTest {

  private final FakeJudgeForTopologyTests judge = new FakeJudgeForTopologyTests();
  private final MockProcessorContext<String, Object> context = new MockProcessorContext<>();
  private final KeyValueStore<String, BufferedPair> store =
      Stores.keyValueStoreBuilder(
              Stores.inMemoryKeyValueStore(RewardTopology.STORE),
              Serdes.String(),
              BufferedPair.serde())
          .withLoggingDisabled()
          .build();

  private BatchBufferProcessor processor(int batchSize, long maxWaitMs) {
    return processor(context, store, CommitBudget.unbounded(), batchSize, maxWaitMs);
  }

  private BatchBufferProcessor processor(
      MockProcessorContext<String, Object> context,
      KeyValueStore<String, BufferedPair> store,
      CommitBudget budget,
      int batchSize,
      long maxWaitMs) {
    return processor(context, store, budget, batchSize, maxWaitMs, null);
  }

  private BatchBufferProcessor processor(
      MockProcessorContext<String, Object> context,
      KeyValueStore<String, BufferedPair> store,
      CommitBudget budget,
      int batchSize,
      long maxWaitMs,
      JudgeLane lane) {
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    WindowStore<String, String> scored =
        Stores.windowStoreBuilder(
                Stores.inMemoryWindowStore(
                    RewardTopology.SCORED_STORE, Duration.ofDays(1), Duration.ofDays(1), false),
                Serdes.String(),
                Serdes.String())
            .withLoggingDisabled()
            .build();
    scored.init(context.getStateStoreContext(), scored);
    context.addStateStore(scored);
    KeyValueStore<String, Integer> attempts =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(RewardTopology.ATTEMPTS_STORE),
                Serdes.String(),
                Serdes.Integer())
            .withLoggingDisabled()
            .build();
    attempts.init(context.getStateStoreContext(), attempts);
    context.addStateStore(attempts);
    return new BatchBufferProcessor(
        new BatchScorer(judge),
        budget,
        FakeJudgeForTopologyTests.INFO,
        batchSize,
        maxWaitMs,
        Duration.ofDays(1).toMillis(),
        3,
        lane);
  }

  private static KeyValueStore<String, BufferedPair> newStore() {
    return Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(RewardTopology.STORE),
            Serdes.String(),
            BufferedPair.serde())
        .withLoggingDisabled()
        .build();
  }

  private static BufferedPair buffered(String id, int partition, long offset, long arrival) {
    return new BufferedPair(
        RewardTopologyTest.pair(id).build(), "rollouts", partition, offset, arrival, null, null);
  }

  @Test
  void pairsRestoredFromTheChangelogAreScoredWithTheirOriginalProvenance() {
    // Given: a store that already holds two pairs, as restored after a crash
    BatchBufferProcessor processor = processor(16, 2000);
    store.put("r1", buffered("r1", 3, 41, 10_000));
    store.put("r2", buffered("r2", 3, 42, 10_500));

    // When: the processor starts and the wall clock passes the first pair's max wait
    context.setCurrentSystemTimeMs(12_000);
    processor.init(context);
    CapturedPunctuator punctuator = context.scheduledPunctuators().get(0);
    assertThat(punctuator.getInterval()).isEqualTo(Duration.ofMillis(500));
    punctuator.getPunctuator().punctuate(12_000);

    // Then: both are scored, oldest first, with the partition/offset/arrival they were stored with
    List<CapturedForward<? extends String, ?>> forwarded = context.forwarded();
    assertThat(forwarded).hasSize(2);
    assertThat(forwarded).allMatch(f -> f.childName().orElseThrow().equals("rewards-sink"));
    RewardResult first = (RewardResult) forwarded.get(0).record().value();
    assertThat(first.getRolloutId()).isEqualTo("r1");
    assertThat(first.getSourcePartition()).isEqualTo(3);
    assertThat(first.getSourceOffset()).isEqualTo(41);
    assertThat(first.getLatencyMs()).isBetween(2000L, 2500L);
    assertThat(((RewardResult) forwarded.get(1).record().value()).getSourceOffset()).isEqualTo(42);
    assertThat(store.approximateNumEntries()).isZero();
  }

  @Test
  void withALaneABatchIsScoredWhileTheStreamThreadArmsTheNextAndItsResultsComeWhenReady()
      throws Exception {
    CountDownLatch firstCall = new CountDownLatch(1);
    judge.holdingUntil(firstCall);
    CommitBudget budget = CommitBudget.oneBatchPerCommit();
    try (JudgeLane lane = JudgeLane.over(judge)) {
      BatchBufferProcessor processor = processor(context, store, budget, 2, 60_000, lane);
      context.setCurrentSystemTimeMs(10_000);
      processor.init(context);
      Punctuator check = context.scheduledPunctuators().get(1).getPunctuator();

      // A full batch is armed; once its attempts are committed it goes to the lane.
      processor.process(new Record<>("r1", buffered("r1", 0, 1, 10_000), 10_000));
      processor.process(new Record<>("r2", buffered("r2", 0, 2, 10_000), 10_000));
      budget.transactionCommitted();
      check.punctuate(10_010);
      awaitCalls(1);
      assertThat(judge.calls()).containsExactly(List.of("r1", "r2"));

      // While the judge holds r1 and r2, the stream thread buffers and arms the next batch (not
      // r1 and r2 again), and forwards nothing yet.
      processor.process(new Record<>("r3", buffered("r3", 0, 3, 10_020), 10_020));
      processor.process(new Record<>("r4", buffered("r4", 0, 4, 10_020), 10_020));
      budget.transactionCommitted();
      check.punctuate(10_030);
      assertThat(context.forwarded()).isEmpty();
      assertThat(store.get("r1")).isNotNull();

      // The judge answers: the next look forwards r1 and r2 (and drops them from the buffer),
      // then hands the committed next batch to the lane.
      firstCall.countDown();
      long idle = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!lane.idle() && System.nanoTime() < idle) {
        Thread.sleep(2);
      }
      check.punctuate(10_040);
      awaitCalls(2);
      List<String> forwarded = forwardedIds();
      assertThat(forwarded).startsWith("r1", "r2");
      assertThat(store.get("r1")).isNull();
      assertThat(store.get("r2")).isNull();
      assertThat(judge.calls()).containsExactly(List.of("r1", "r2"), List.of("r3", "r4"));

      // Its results follow once it is done.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (forwardedIds().size() < 4 && System.nanoTime() < deadline) {
        Thread.sleep(5);
        check.punctuate(10_050);
      }
      assertThat(forwardedIds()).containsExactly("r1", "r2", "r3", "r4");
      assertThat(store.approximateNumEntries()).isZero();
    }
  }

  private void awaitCalls(int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (judge.calls().size() < n && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
    assertThat(judge.calls()).hasSize(n);
  }

  private List<String> forwardedIds() {
    return context.forwarded().stream()
        .map(f -> ((RewardResult) f.record().value()).getRolloutId())
        .toList();
  }

  @Test
  void theRestoredCountStillTriggersTheSizeFlush() {
    BatchBufferProcessor processor = processor(3, 60_000);
    store.put("r1", buffered("r1", 0, 1, 10_000));
    store.put("r2", buffered("r2", 0, 2, 10_000));
    context.setCurrentSystemTimeMs(10_100);
    processor.init(context);

    processor.process(
        new org.apache.kafka.streams.processor.api.Record<>(
            "r3", buffered("r3", 0, 3, 10_100), 10_100));

    assertThat(judge.calls()).containsExactly(List.of("r1", "r2", "r3"));
    assertThat(store.approximateNumEntries()).isZero();
  }

  @Test
  void pairsQueuedBehindASlowJudgeCallWaitForMoreFromTheEndOfThatCall() {
    // Kafka Streams' clock is cached per loop iteration: r3, processed right after a judge call
    // that took 1.2 s, is stamped with the time from before the call (10_000).
    judge.taking(1200);
    BatchBufferProcessor processor = processor(2, 1000);
    context.setCurrentSystemTimeMs(10_000);
    processor.init(context);
    Punctuator tick = context.scheduledPunctuators().get(0).getPunctuator();
    processor.process(new Record<>("r1", buffered("r1", 0, 1, 10_000), 10_000));
    processor.process(new Record<>("r2", buffered("r2", 0, 2, 10_000), 10_000));
    processor.process(new Record<>("r3", buffered("r3", 0, 3, 10_000), 10_000));

    // 1.0 s after r3's stamp, but the judge was busy until about 11_200: r3 keeps waiting
    tick.punctuate(11_000);
    assertThat(judge.calls()).containsExactly(List.of("r1", "r2"));

    // a full max wait after the judge became free: r3 goes on its own
    tick.punctuate(12_300);
    assertThat(judge.calls()).containsExactly(List.of("r1", "r2"), List.of("r3"));
  }

  @Test
  void partitionsSharingABudgetScoreOneBatchPerTransaction() {
    // Given: two tasks (partitions 0 and 1) of one stream thread, sharing its budget
    CommitBudget budget = CommitBudget.oneBatchPerCommit();
    MockProcessorContext<String, Object> context0 = new MockProcessorContext<>();
    MockProcessorContext<String, Object> context1 = new MockProcessorContext<>();
    BatchBufferProcessor p0 = processor(context0, newStore(), budget, 2, 60_000);
    BatchBufferProcessor p1 = processor(context1, newStore(), budget, 2, 60_000);
    context0.setCurrentSystemTimeMs(10_000);
    context1.setCurrentSystemTimeMs(10_000);
    p0.init(context0);
    p1.init(context1);

    // When: both buffers fill in the same loop iteration, i.e. before any commit
    p0.process(new Record<>("a1", buffered("a1", 0, 1, 10_000), 10_000));
    p0.process(new Record<>("a2", buffered("a2", 0, 2, 10_000), 10_000));
    p1.process(new Record<>("b1", buffered("b1", 1, 1, 10_000), 10_000));
    p1.process(new Record<>("b2", buffered("b2", 1, 2, 10_000), 10_000));

    // Then: both batches are armed (attempts raised, a commit asked for), none scored yet
    assertThat(judge.calls()).isEmpty();
    assertThat(context0.committed()).isTrue();
    assertThat(context1.committed()).isTrue();
    context0.resetCommit();
    context1.resetCommit();

    // When: that commit happens and both tasks' punctuators look
    budget.transactionCommitted();
    tick(context0, 10_100);
    tick(context1, 10_100);

    // Then: only the first batch is scored in this transaction
    assertThat(judge.calls()).containsExactly(List.of("a1", "a2"));
    assertThat(context0.committed()).isTrue();
    assertThat(budget.batchesDeferred()).isEqualTo(1); // counted where a ready batch asked

    // When: that transaction commits and the second task looks again
    budget.transactionCommitted();
    tick(context1, 10_200);

    // Then: its full batch is scored without waiting for the max wait
    assertThat(judge.calls()).containsExactly(List.of("a1", "a2"), List.of("b1", "b2"));
    assertThat(budget.batchesGranted()).isEqualTo(2);
  }

  @Test
  void anArmedBatchWhoseTransactionAbortedIsArmedAgainNotScoredOnLostAttempts() {
    CommitBudget budget = CommitBudget.oneBatchPerCommit();
    BatchBufferProcessor p = processor(context, store, budget, 2, 60_000);
    context.setCurrentSystemTimeMs(10_000);
    p.init(context);
    p.process(new Record<>("r1", buffered("r1", 0, 1, 10_000), 10_000));
    p.process(new Record<>("r2", buffered("r2", 0, 2, 10_000), 10_000));

    budget.transactionEnded(); // aborted: the raised attempts may be gone
    tick(context, 10_100);
    assertThat(judge.calls()).isEmpty(); // armed again instead
    budget.transactionCommitted();
    tick(context, 10_200);
    assertThat(judge.calls()).containsExactly(List.of("r1", "r2"));
  }

  @Test
  void aPairInFlightDuringEveryCrashIsScoredAloneThenDeadLetteredPoison() {
    // Given: a bounded budget, batches of 2; "crash" = the processor is initialised again over its
    // stores (as restored from the changelog) before the armed batch's scoring committed
    CommitBudget budget = CommitBudget.oneBatchPerCommit();
    BatchBufferProcessor p = processor(context, store, budget, 2, 60_000);
    context.setCurrentSystemTimeMs(10_000);
    p.init(context);
    p.process(new Record<>("x1", buffered("x1", 0, 1, 10_000), 10_000));
    p.process(new Record<>("x2", buffered("x2", 0, 2, 10_000), 10_000));
    budget.transactionCommitted(); // the batch's attempts are durable; scoring it crashes
    p.init(context);

    // When: x1, the older suspect, is tried alone and crashes twice more
    for (int crash = 2; crash <= 3; crash++) {
      tick(context, 10_000 + crash);
      budget.transactionCommitted();
      p.init(context);
    }
    assertThat(judge.calls()).isEmpty();

    // Then: x1 has used its 3 attempts: dead-lettered POISON; x2 (1 attempt) is scored alone
    tick(context, 10_010);
    budget.transactionCommitted();
    tick(context, 10_020);
    assertThat(judge.calls()).containsExactly(List.of("x2"));
    List<Object> values =
        context.forwarded().stream().map(f -> (Object) f.record().value()).toList();
    assertThat(values)
        .filteredOn(io.rewardstream.avro.DeadLetter.class::isInstance)
        .singleElement()
        .satisfies(
            v -> {
              io.rewardstream.avro.DeadLetter letter = (io.rewardstream.avro.DeadLetter) v;
              assertThat(letter.getRolloutId()).isEqualTo("x1");
              assertThat(letter.getReasonCode())
                  .isEqualTo(io.rewardstream.avro.DeadLetterReason.POISON);
              assertThat(letter.getReason())
                  .contains("3 attempts")
                  .contains("poison.max.attempts=3");
            });
    assertThat(values)
        .filteredOn(RewardResult.class::isInstance)
        .extracting(v -> ((RewardResult) v).getRolloutId())
        .containsExactly("x2");
    assertThat(store.approximateNumEntries()).isZero();
    KeyValueStore<String, Integer> attempts = context.getStateStore(RewardTopology.ATTEMPTS_STORE);
    assertThat(attempts.approximateNumEntries()).isZero();
  }

  @Test
  void aPartialBatchArmedAtItsMaxWaitTakesInPairsThatArriveWhileItWaitsForTheBudget() {
    CommitBudget budget = CommitBudget.oneBatchPerCommit();
    BatchBufferProcessor p = processor(context, store, budget, 4, 1000);
    context.setCurrentSystemTimeMs(10_000);
    p.init(context);
    p.process(new Record<>("r1", buffered("r1", 0, 1, 10_000), 10_000));
    p.process(new Record<>("r2", buffered("r2", 0, 2, 10_000), 10_000));
    tick(context, 11_000); // max wait: r1, r2 armed
    p.process(new Record<>("r3", buffered("r3", 0, 3, 11_005), 11_005));
    List<CapturedPunctuator> all = context.scheduledPunctuators();
    all.get(all.size() - 1).getPunctuator().punctuate(11_010); // the 10 ms check tops it up

    budget.transactionCommitted();
    tick(context, 11_020);
    assertThat(judge.calls()).containsExactly(List.of("r1", "r2", "r3"));
  }

  /** Runs the latest init's max-wait punctuator (the one registered first by init). */
  private static void tick(MockProcessorContext<String, Object> context, long now) {
    List<CapturedPunctuator> all = context.scheduledPunctuators();
    all.get(all.size() - 2).getPunctuator().punctuate(now);
  }

  @Test
  void theBufferedPairSerdeRoundTrips() {
    BufferedPair pair =
        new BufferedPair(
            RewardTopologyTest.pair("r1").build(),
            "rollouts",
            2,
            99,
            1234,
            new byte[] {1, 2},
            new byte[] {3});
    var serde = BufferedPair.serde();
    BufferedPair back =
        serde.deserializer().deserialize("t", serde.serializer().serialize("t", pair));
    assertThat(back.pair()).isEqualTo(pair.pair());
    assertThat(back.sourceTopic()).isEqualTo("rollouts");
    assertThat(back.sourcePartition()).isEqualTo(2);
    assertThat(back.sourceOffset()).isEqualTo(99);
    assertThat(back.arrivalMs()).isEqualTo(1234);
    assertThat(back.originalKey()).containsExactly(1, 2);
    assertThat(back.originalValue()).containsExactly(3);
  }
}
