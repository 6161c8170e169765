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
import io.rewardstream.scoring.PairInputs;
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
 *
 * <p>Like the pair buffer, a judge call's groups are armed first ({@link Attempts}: their attempts
 * raised and committed) and judged after that commit; a group found with an unfinished attempt is
 * judged alone, and one that used {@code poison.max.attempts} is dead-lettered POISON.
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
  private final int poisonMaxAttempts;
  private Attempts attempts;
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
      long duplicatesRetentionMs,
      int poisonMaxAttempts) {
    this.poisonMaxAttempts = poisonMaxAttempts;
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
    this.attempts =
        new Attempts(
            context,
            context.getStateStore(RewardTopology.GROUP_ATTEMPTS_STORE),
            budget,
            poisonMaxAttempts);
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

  /** Judges the armed call once its attempts are committed; arms the next while groups wait. */
  private void scoreWhileAllowed() {
    while (true) {
      if (attempts.armed()) {
        List<String> keys = attempts.committedBatch(key -> store.get(key) != null);
        if (keys == null || !budget.available() || !budget.tryAcquire()) {
          return; // its commit is still to come, or another batch is in this transaction
        }
        attempts.disarm();
        judgeOneBatch(keys);
      }
      if (buffered == 0 || !arm()) {
        return;
      }
    }
  }

  /**
   * Arms the groups of the next judge call: the oldest groups' pending comparisons, or a suspect
   * group (an unfinished attempt) alone; a group that used its attempts is dead-lettered POISON.
   *
   * @return whether a call is armed
   */
  private boolean arm() {
    List<KeyValue<String, BufferedGroup>> entries = new ArrayList<>();
    for (KeyValue<String, BufferedGroup> entry : Buffered.oldestFirst(store)) {
      if (attempts.exhausted(entry.key)) {
        long now = context.currentSystemTimeMs();
        String reason = attempts.poisonReason("group", entry.key);
        forwardDeadLetter(entry.value.deadLetter(DeadLetterReason.POISON, reason, now));
        store.delete(entry.key);
        attempts.clear(entry.key);
      } else if (attempts.of(entry.key) > 0) {
        entries = new ArrayList<>(List.of(entry)); // a suspect is judged alone
        break;
      } else {
        entries.add(entry);
      }
    }
    buffered = Buffered.oldestFirst(store).size();
    List<String> keys = slots(entries).stream().map(s -> s.group().key).distinct().toList();
    if (keys.isEmpty()) {
      return false;
    }
    attempts.arm(keys);
    return true;
  }

  private List<GroupBatches.Slot<KeyValue<String, BufferedGroup>>> slots(
      List<KeyValue<String, BufferedGroup>> entries) {
    return GroupBatches.fill(entries, e -> pending(e.value), batchSize);
  }

  /**
   * Judges the pending comparisons of the armed groups (those still buffered, oldest first: the
   * same slots as when they were armed), updates or finishes each group and asks for a commit.
   */
  private void judgeOneBatch(List<String> keys) {
    List<KeyValue<String, BufferedGroup>> entries = new ArrayList<>();
    for (KeyValue<String, BufferedGroup> entry : Buffered.oldestFirst(store)) {
      if (keys.contains(entry.key)) {
        entries.add(entry);
      }
    }
    List<GroupBatches.Slot<KeyValue<String, BufferedGroup>>> slots = slots(entries);
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
          attempts.clear(key); // this call finished: a later call counts afresh
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
        PairInputs.groupTurns(group.group().getMessages()),
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
