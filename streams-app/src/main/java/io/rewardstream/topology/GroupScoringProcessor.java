package io.rewardstream.topology;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.GroupRewardResult;
import io.rewardstream.avro.GroupStatus;
import io.rewardstream.judge.JudgeInfo;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.Verdict;
import io.rewardstream.judge.group.Comparison;
import io.rewardstream.judge.group.GroupBatches;
import io.rewardstream.judge.group.GroupScores;
import io.rewardstream.judge.group.GroupStrategy;
import io.rewardstream.judge.group.Match;
import io.rewardstream.scoring.BatchScorer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Buffers valid groups and judges their comparisons, {@code batchSize} comparisons per judge call,
 * drawn from the oldest groups first (one group's comparisons and another's share a batch), at most
 * one judge call per transaction ({@link CommitBudget}, shared with the pair buffers).
 *
 * <p>Each judge call's comparisons are added to their groups in the store; a group whose strategy
 * asks for nothing more gets its Bradley–Terry fit, its {@code GroupRewardResult} is forwarded and
 * it is deleted from the store, in the same call and so in the same transaction as its last
 * comparisons. A group whose every comparison failed gets a FAILED result and a SCORING_FAILED dead
 * letter. A group_id already buffered, or scored within {@code duplicates.retention.ms}, is
 * dead-lettered DUPLICATE.
 */
final class GroupScoringProcessor implements Processor<String, BufferedGroup, String, Object> {

  /** How often buffered groups are looked at when no record arrives (they wait for the budget). */
  static final Duration TICK = Duration.ofMillis(10);

  private final BatchScorer scorer;
  private final CommitBudget budget;
  private final JudgeInfo judgeInfo;
  private final GroupSettings settings;
  private final int batchSize;
  private final long duplicatesRetentionMs;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, BufferedGroup> store;
  private ScoredIds scored;
  private int buffered;

  GroupScoringProcessor(
      BatchScorer scorer,
      CommitBudget budget,
      JudgeInfo judgeInfo,
      GroupSettings settings,
      int batchSize,
      long duplicatesRetentionMs) {
    this.scorer = scorer;
    this.budget = budget;
    this.judgeInfo = judgeInfo;
    this.settings = settings;
    this.batchSize = batchSize;
    this.duplicatesRetentionMs = duplicatesRetentionMs;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.store = context.getStateStore(RewardTopology.GROUP_STORE);
    WindowStore<String, String> ids = context.getStateStore(RewardTopology.SCORED_GROUPS_STORE);
    this.scored = new ScoredIds(ids, duplicatesRetentionMs, "group_id", "group rewards");
    this.buffered = Buffered.oldestFirst(store).size();
    context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, now -> scoreWhileAllowed());
  }

  @Override
  public void process(Record<String, BufferedGroup> record) {
    long now = context.currentSystemTimeMs();
    String duplicate = scored.duplicateReason(record.key(), store.get(record.key()) != null, now);
    if (duplicate != null) {
      forwardDeadLetter(record.value().deadLetter(DeadLetterReason.DUPLICATE, duplicate, now));
      return;
    }
    store.put(record.key(), record.value());
    buffered++;
    scoreWhileAllowed();
  }

  private void scoreWhileAllowed() {
    while (buffered > 0 && budget.available() && budget.tryAcquire()) {
      judgeOneBatch();
    }
  }

  private void judgeOneBatch() {
    List<KeyValue<String, BufferedGroup>> entries = Buffered.oldestFirst(store);
    buffered = entries.size();
    List<GroupBatches.Slot<KeyValue<String, BufferedGroup>>> slots =
        GroupBatches.fill(entries, e -> pending(e.value), batchSize);
    if (slots.isEmpty()) {
      return;
    }
    List<Verdict> verdicts =
        scorer.score(slots.stream().map(s -> input(s.group().value, s.match())).toList());
    long scoredAt = context.currentSystemTimeMs();
    Map<String, List<Comparison>> judged = new LinkedHashMap<>();
    Map<String, BufferedGroup> groups = new LinkedHashMap<>();
    for (int k = 0; k < slots.size(); k++) {
      KeyValue<String, BufferedGroup> entry = slots.get(k).group();
      groups.putIfAbsent(entry.key, entry.value);
      judged
          .computeIfAbsent(entry.key, key -> new ArrayList<>())
          .add(Comparison.of(slots.get(k).match(), verdicts.get(k)));
    }
    judged.forEach(
        (key, more) -> {
          BufferedGroup updated = groups.get(key).withJudged(more);
          if (pending(updated).isEmpty()) {
            emit(key, updated, scoredAt);
          } else {
            store.put(key, updated);
          }
        });
    context.commit();
  }

  private List<Match> pending(BufferedGroup group) {
    return settings.strategy().pending(group.size(), group.seed(), group.judged());
  }

  private static PairInput input(BufferedGroup group, Match match) {
    return GroupBatches.pairInput(
        group.group().getGroupId(),
        group.group().getPrompt(),
        group.group().getResponses().stream().map(r -> r.getText()).toList(),
        match);
  }

  private void emit(String key, BufferedGroup group, long scoredAt) {
    GroupStrategy strategy = settings.strategy();
    GroupScores scores = GroupScores.of(group.size(), group.judged());
    GroupRewardResult result =
        GroupResults.of(group, scores, strategy, judgeInfo, settings.includeAnalysis(), scoredAt);
    context.forward(new Record<>(key, result, scoredAt), RewardTopology.GROUP_REWARDS_SINK);
    if (result.getStatus() == GroupStatus.FAILED) {
      String reason = "scoring failed: " + result.getFailureReason();
      forwardDeadLetter(group.deadLetter(DeadLetterReason.SCORING_FAILED, reason, scoredAt));
    }
    scored.record(
        key, group.sourceTopic(), group.sourcePartition(), group.sourceOffset(), scoredAt);
    store.delete(key);
    buffered--;
  }

  private void forwardDeadLetter(DeadLetter letter) {
    context.forward(
        new Record<>(letter.getGroupId(), letter, letter.getFailedAt().toEpochMilli()),
        RewardTopology.GROUP_DLQ_SINK);
  }
}
