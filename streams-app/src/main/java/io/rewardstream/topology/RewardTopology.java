package io.rewardstream.topology;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.GroupRewardResult;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.judge.Judge;
import io.rewardstream.judge.JudgeInfo;
import io.rewardstream.schemas.Topic;
import io.rewardstream.schemas.Topics;
import io.rewardstream.schemas.WireFormat;
import io.rewardstream.scoring.BatchScorer;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The RewardStream topology: rollout pairs in, rewards and dead letters out.
 *
 * <pre>
 * rollouts-source (bytes) ─► validate ─┬─► batch-buffer [batch-buffer-store] ─┬─► rewards-sink
 *                                      └──────────────► dlq-sink ◄────────────┘
 * </pre>
 *
 * <ul>
 *   <li><b>rollouts-source</b> reads raw bytes, so a record that does not decode still reaches
 *       {@code validate} with its bytes and position and can be dead-lettered with a reason.
 *   <li><b>validate</b> dead-letters records over {@code input.max.record.bytes} (OVERSIZE),
 *       decodes the RolloutPair and dead-letters undecodable bytes, missing or empty required
 *       fields, a key that is not the rollout_id (KEY_MISMATCH) and pairs over {@code
 *       judge.max.prompt.tokens} (see {@link io.rewardstream.scoring.Rejection}); valid pairs go on
 *       with their source topic/partition/offset and arrival time.
 *   <li><b>batch-buffer</b> dead-letters a rollout_id already buffered, or scored within {@code
 *       duplicates.retention.ms} ({@link #SCORED_STORE}), as DUPLICATE, buffers the rest in {@link
 *       #STORE}, a changelogged key-value store (key rollout_id, value {@link BufferedPair}), and
 *       scores a batch when {@code batch.size} pairs are buffered or the oldest has waited {@code
 *       batch.max.wait.ms} (wall clock), at most one batch per transaction over all partitions
 *       ({@link CommitBudget}). It forwards one RewardResult per pair to {@code rewards-sink}, a
 *       DeadLetter (SCORING_FAILED) for each pair that failed, and deletes the batch from the
 *       store, in one process/punctuate call, hence one EOS transaction.
 *   <li><b>rewards-sink</b> and <b>dlq-sink</b> write Avro RewardResult / DeadLetter, key
 *       rollout_id (null for dead letters whose id is unknown).
 * </ul>
 *
 * <p>The factory is pure: it reads the config and the judge's identity and creates nothing else;
 * the caller owns the judge and closes it after {@code KafkaStreams.close()} returns. Processors
 * call the judge from stream threads only; with one stream thread (the default) it is never called
 * concurrently.
 */
public final class RewardTopology {

  /** Source node: reads the input topic as raw bytes. */
  public static final String SOURCE = "rollouts-source";

  /** Decodes and validates; forwards to {@link #BUFFER} or {@link #DLQ_SINK}. */
  public static final String VALIDATE = "validate";

  /** Buffers and scores batches; forwards to {@link #REWARDS_SINK} and {@link #DLQ_SINK}. */
  public static final String BUFFER = "batch-buffer";

  /** Sink of RewardResult records. */
  public static final String REWARDS_SINK = "rewards-sink";

  /** Sink of DeadLetter records. */
  public static final String DLQ_SINK = "dlq-sink";

  /**
   * The batch buffer's store (changelog topic: {@code
   * <application.id>-batch-buffer-store-changelog}).
   */
  public static final String STORE = "batch-buffer-store";

  /**
   * The ids scored in the last {@code duplicates.retention.ms} (window store, key rollout_id, value
   * where the input was; changelog {@code <application.id>-scored-ids-store-changelog}).
   */
  public static final String SCORED_STORE = "scored-ids-store";

  /**
   * Scoring attempts of buffered pairs that have not committed yet (key rollout_id, value the
   * count; changelog {@code <application.id>-scoring-attempts-store-changelog}): a pair that kills
   * the process while it is scored is dead-lettered POISON after {@code poison.max.attempts}.
   */
  public static final String ATTEMPTS_STORE = "scoring-attempts-store";

  /** Group scoring (groups.enabled): reads the group input topic as raw bytes. */
  public static final String GROUP_SOURCE = "groups-source";

  /** Decodes and validates groups; forwards to {@link #GROUP_SCORE} or {@link #GROUP_DLQ_SINK}. */
  public static final String GROUP_VALIDATE = "group-validate";

  /** Buffers groups and judges their comparisons; forwards results and dead letters. */
  public static final String GROUP_SCORE = "group-score";

  /** Sink of GroupRewardResult records. */
  public static final String GROUP_REWARDS_SINK = "group-rewards-sink";

  /**
   * Sink of the groups' DeadLetter records: the same topic as {@link #DLQ_SINK}, its own node so
   * that pairs and groups stay separate sub-topologies (no co-partitioning between their topics).
   */
  public static final String GROUP_DLQ_SINK = "group-dlq-sink";

  /** The group buffer (key group_id, value {@link BufferedGroup}: the group and its progress). */
  public static final String GROUP_STORE = "group-buffer-store";

  /** Unfinished judge-call attempts of buffered groups (see {@link #ATTEMPTS_STORE}). */
  public static final String GROUP_ATTEMPTS_STORE = "group-scoring-attempts-store";

  /** The group ids scored in the last {@code duplicates.retention.ms}. */
  public static final String SCORED_GROUPS_STORE = "scored-groups-store";

  private RewardTopology() {}

  /**
   * Builds the topology.
   *
   * @param config topic names, batch size and max wait, token budget
   * @param judge the judge that scores batches and counts prompt tokens; its {@link Judge#info()}
   *     is read once, here, and stamped on every result
   * @param budget the scoring allowed per transaction, shared by every partition's buffer: {@link
   *     CommitBudget#oneBatchPerCommit()} with the commits reported to it, for a real {@code
   *     KafkaStreams} under exactly-once
   * @return a new topology; build one per {@code KafkaStreams} instance
   */
  public static Topology build(TopologySettings config, Judge judge, CommitBudget budget) {
    return build(config, judge, budget, WireFormat.singleObject());
  }

  /**
   * Builds the topology with the given wire format for the input, result and dead-letter topics
   * (the buffers' changelogs keep single-object encoding: they are RewardStream's own).
   */
  public static Topology build(
      TopologySettings config, Judge judge, CommitBudget budget, WireFormat wire) {
    return build(config, judge, budget, wire, null);
  }

  /**
   * Builds the topology; with a {@link JudgeLane} ({@code scoring.overlap=true}) the pair batches
   * are scored on the lane's thread while the stream thread does Kafka's work, and group scoring
   * waits for the lane's calls.
   *
   * @param lane the judge's own thread, or null to score on the stream thread
   */
  public static Topology build(
      TopologySettings config, Judge judge, CommitBudget budget, WireFormat wire, JudgeLane lane) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(wire, "wire");
    Objects.requireNonNull(judge, "judge");
    Objects.requireNonNull(budget, "budget");
    JudgeInfo info = Objects.requireNonNull(judge.info(), "judge.info()");
    Topic<String, RewardResult> rewards = wire.topic(Topics.REWARDS.withName(config.outputTopic()));
    Topic<String, DeadLetter> dlq = wire.topic(Topics.ROLLOUTS_DLQ.withName(config.dlqTopic()));
    BatchScorer scorer = lane == null ? new BatchScorer(judge) : lane.scorer();

    Topology topology = new Topology();
    topology.addSource(
        SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), config.inputTopic());
    topology.addProcessor(
        VALIDATE,
        () ->
            new ValidateProcessor(
                wire.rolloutPair().deserializer(),
                judge,
                config.maxPromptTokens(),
                config.maxRecordBytes()),
        SOURCE);
    topology.addProcessor(
        BUFFER,
        () ->
            new BatchBufferProcessor(
                scorer,
                budget,
                info,
                config.batchSize(),
                config.batchMaxWaitMs(),
                config.duplicatesRetentionMs(),
                config.poisonMaxAttempts(),
                lane),
        VALIDATE);
    topology.addStateStore(bufferStore(), BUFFER);
    topology.addStateStore(attemptsStore(ATTEMPTS_STORE), BUFFER);
    topology.addStateStore(scoredStore(config.duplicatesRetentionMs()), BUFFER);
    topology.addSink(
        REWARDS_SINK,
        rewards.name(),
        rewards.keySerde().serializer(),
        rewards.valueSerde().serializer(),
        BUFFER);
    topology.addSink(
        DLQ_SINK,
        dlq.name(),
        dlq.keySerde().serializer(),
        dlq.valueSerde().serializer(),
        VALIDATE,
        BUFFER);
    if (config.groups().enabled()) {
      addGroups(topology, config, judge, scorer, budget, info, wire);
    }
    return topology;
  }

  /**
   * The group sub-topology: groups-source → group-validate → group-score [group-buffer-store,
   * scored-groups-store] → group-rewards-sink, with group-dlq-sink for both processors.
   */
  private static void addGroups(
      Topology topology,
      TopologySettings config,
      Judge judge,
      BatchScorer scorer,
      CommitBudget budget,
      JudgeInfo info,
      WireFormat wire) {
    GroupSettings groups = config.groups();
    Topic<String, GroupRewardResult> results =
        wire.topic(Topics.GROUP_REWARDS.withName(groups.outputTopic()));
    Topic<String, DeadLetter> dlq = wire.topic(Topics.ROLLOUTS_DLQ.withName(config.dlqTopic()));
    topology.addSource(
        GROUP_SOURCE,
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer(),
        groups.inputTopic());
    topology.addProcessor(
        GROUP_VALIDATE,
        () ->
            new GroupValidateProcessor(
                wire.rolloutGroup().deserializer(),
                judge,
                config.maxPromptTokens(),
                config.maxRecordBytes(),
                groups.maxSize()),
        GROUP_SOURCE);
    topology.addProcessor(
        GROUP_SCORE,
        () ->
            new GroupScoringProcessor(
                scorer,
                budget,
                info,
                groups,
                config.batchSize(),
                config.duplicatesRetentionMs(),
                config.poisonMaxAttempts()),
        GROUP_VALIDATE);
    topology.addStateStore(attemptsStore(GROUP_ATTEMPTS_STORE), GROUP_SCORE);
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(GROUP_STORE), Serdes.String(), BufferedGroup.serde()),
        GROUP_SCORE);
    topology.addStateStore(
        windowStore(SCORED_GROUPS_STORE, config.duplicatesRetentionMs()), GROUP_SCORE);
    topology.addSink(
        GROUP_REWARDS_SINK,
        results.name(),
        results.keySerde().serializer(),
        results.valueSerde().serializer(),
        GROUP_SCORE);
    topology.addSink(
        GROUP_DLQ_SINK,
        dlq.name(),
        dlq.keySerde().serializer(),
        dlq.valueSerde().serializer(),
        GROUP_VALIDATE,
        GROUP_SCORE);
  }

  /**
   * Persistent, changelogged windows of one retention period: an id is found for at least the
   * retention after it was scored, and whole segments expire after that.
   */
  static StoreBuilder<WindowStore<String, String>> scoredStore(long retentionMs) {
    return windowStore(SCORED_STORE, retentionMs);
  }

  private static StoreBuilder<WindowStore<String, String>> windowStore(
      String name, long retentionMs) {
    Duration retention = Duration.ofMillis(retentionMs);
    return Stores.windowStoreBuilder(
        Stores.persistentWindowStore(name, retention, retention, false),
        Serdes.String(),
        Serdes.String());
  }

  /** Persistent, changelogged, uncached, like the buffer it counts for. */
  static StoreBuilder<KeyValueStore<String, Integer>> attemptsStore(String name) {
    return Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.Integer());
  }

  /** Persistent, changelogged (the default), uncached: a put is in the changelog at commit. */
  static StoreBuilder<KeyValueStore<String, BufferedPair>> bufferStore() {
    return Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(STORE), Serdes.String(), BufferedPair.serde());
  }
}
