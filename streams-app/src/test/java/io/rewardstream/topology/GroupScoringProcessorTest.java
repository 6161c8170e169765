package io.rewardstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.GroupRewardResult;
import io.rewardstream.judge.group.GroupStrategy;
import io.rewardstream.scoring.BatchScorer;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** The group buffer across "crashes": re-initialised over its stores before a call committed. */
class GroupScoringProcessorTest {

  private final FakeJudgeForTopologyTests judge = new FakeJudgeForTopologyTests();
  private final MockProcessorContext<String, Object> context = new MockProcessorContext<>();
  private final CommitBudget budget = CommitBudget.oneBatchPerCommit();

  private <S extends org.apache.kafka.streams.processor.StateStore> S add(StoreBuilder<S> builder) {
    S store = builder.withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    return store;
  }

  @Test
  void aGroupInFlightDuringEveryCrashIsJudgedAloneThenDeadLetteredPoison() {
    KeyValueStore<String, BufferedGroup> groups =
        add(
            Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(RewardTopology.GROUP_STORE),
                Serdes.String(),
                BufferedGroup.serde()));
    add(
        Stores.windowStoreBuilder(
            Stores.inMemoryWindowStore(
                RewardTopology.SCORED_GROUPS_STORE, Duration.ofDays(1), Duration.ofDays(1), false),
            Serdes.String(),
            Serdes.String()));
    KeyValueStore<String, Integer> attempts =
        add(
            Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(RewardTopology.GROUP_ATTEMPTS_STORE),
                Serdes.String(),
                Serdes.Integer()));
    GroupScoringProcessor p =
        new GroupScoringProcessor(
            new BatchScorer(judge),
            budget,
            FakeJudgeForTopologyTests.INFO,
            new GroupSettings(true, "in", "out", GroupStrategy.ROUND_ROBIN, 8, false),
            16,
            Duration.ofDays(1).toMillis(),
            2);
    // Given: two buffered groups of 2 (one comparison each), armed together; judging them "crashes"
    groups.put("g1", buffered("g1", 1));
    groups.put("g2", buffered("g2", 2));
    context.setCurrentSystemTimeMs(10_000);
    p.init(context);
    tick(10_000);
    assertThat(attempts.get("g1")).isEqualTo(1);
    assertThat(attempts.get("g2")).isEqualTo(1);
    budget.transactionCommitted();
    p.init(context);

    // When: g1, the older suspect, is judged alone and "crashes" again
    tick(10_010);
    assertThat(attempts.get("g1")).isEqualTo(2);
    budget.transactionCommitted();
    p.init(context);
    assertThat(judge.calls()).isEmpty();

    // Then: g1 used its 2 attempts: POISON; g2 (1 unfinished attempt) is judged alone, once
    tick(10_020);
    budget.transactionCommitted();
    tick(10_030);
    assertThat(judge.calls()).singleElement().satisfies(call -> assertThat(call).hasSize(1));
    List<Object> out = context.forwarded().stream().map(f -> (Object) f.record().value()).toList();
    assertThat(out)
        .filteredOn(DeadLetter.class::isInstance)
        .singleElement()
        .satisfies(
            v -> {
              assertThat(((DeadLetter) v).getGroupId()).isEqualTo("g1");
              assertThat(((DeadLetter) v).getReasonCode()).isEqualTo(DeadLetterReason.POISON);
              assertThat(((DeadLetter) v).getReason()).contains("group").contains("2 attempts");
            });
    assertThat(out)
        .filteredOn(GroupRewardResult.class::isInstance)
        .extracting(v -> ((GroupRewardResult) v).getGroupId())
        .containsExactly("g2");
    assertThat(groups.approximateNumEntries()).isZero();
    assertThat(attempts.approximateNumEntries()).isZero();
  }

  private void tick(long now) {
    List<CapturedPunctuator> all = context.scheduledPunctuators();
    all.get(all.size() - 1).getPunctuator().punctuate(now);
  }

  private static BufferedGroup buffered(String id, long offset) {
    return new BufferedGroup(
        GroupTopologyTest.group(id, 2), "in", 0, offset, 10_000, null, null, List.of());
  }
}
