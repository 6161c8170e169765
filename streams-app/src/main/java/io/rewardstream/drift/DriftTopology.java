package io.rewardstream.drift;

import io.rewardstream.avro.DriftAlert;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RewardWindowStats;
import io.rewardstream.schemas.Topic;
import io.rewardstream.schemas.Topics;
import io.rewardstream.schemas.WireFormat;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The reward-drift sub-topology: rewards in, windowed statistics and drift alerts out.
 *
 * <pre>
 * rewards ─► drift-event-time ─► group by policy_version|judge_version (drift-by-version-repartition)
 *   ─► drift-window-aggregate [drift-window-store] ─► drift-until-window-closes
 *   ─► drift-window-stats ─┬─► reward-stats
 *                          └─► drift-detect [drift-reference-store] ─► reward-drift-alerts
 * </pre>
 *
 * <ul>
 *   <li><b>drift-event-time</b> re-timestamps each result with its {@code scored_at} (see {@link
 *       EventTimeProcessor} for why), so windows are in judge time, and late results within {@code
 *       drift.grace.ms} still land in their window.
 *   <li>Results are re-keyed by {@code policy_version|judge_version} (with {@code *} for a
 *       dimension pooled by {@code drift.group.by}, see {@link GroupBy}) and repartitioned, so each
 *       key's windows are aggregated (and later compared) by one task. Every result counts, FAILED
 *       ones included (they make up {@code failed_rate}); see {@link WindowAccumulator}.
 *   <li><b>drift-window-aggregate</b> keeps one accumulator per key and window (tumbling by
 *       default, hopping when {@code drift.hop.ms} is shorter than {@code drift.window.ms}).
 *   <li><b>drift-until-window-closes</b> holds each window back until stream time passes its end
 *       plus grace, so {@code reward-stats} gets exactly one, final record per key and window.
 *       Stream time only advances with new results on the same partition: on a quiet partition the
 *       last window is emitted when the next result arrives.
 *   <li><b>drift-detect</b> pools each key's first windows into a reference and tests every later
 *       window against it (see {@link DriftDetector}).
 * </ul>
 *
 * <p>Pure factory: it creates nodes and stores and nothing else, so the same sub-topology runs
 * inside the scoring application ({@link #addTo(StreamsBuilder, DriftConfig, DriftTopics)}) or as
 * its own application ({@link #build(DriftConfig, DriftTopics)}). Internal topics (prefixed with
 * the application id): {@code drift-by-version-repartition}, {@code drift-window-store-changelog},
 * {@code drift-until-window-closes-store-changelog}, {@code drift-reference-store-changelog}.
 */
public final class DriftTopology {

  /** Source node of {@code rewards} (only when the sub-topology reads the topic itself). */
  public static final String SOURCE = "drift-rewards-source";

  /** Sets record timestamps to {@code scored_at}. */
  public static final String EVENT_TIME = "drift-event-time";

  /**
   * Name of the re-key step; its repartition topic is {@code
   * <app-id>-drift-by-version-repartition}.
   */
  public static final String REPARTITION = "drift-by-version";

  /** The windowed aggregation's store (key, window) → accumulator. */
  public static final String WINDOW_STORE = "drift-window-store";

  /** The suppression that emits each window once, when it closes. */
  public static final String SUPPRESS = "drift-until-window-closes";

  /** Maps closed windows to {@link RewardWindowStats}. */
  public static final String WINDOW_STATS = "drift-window-stats";

  /** Sink of {@code reward-stats}. */
  public static final String STATS_SINK = "drift-stats-sink";

  /** The drift detector. */
  public static final String DETECT = "drift-detect";

  /** The detector's store: key → pooled reference (JSON). */
  public static final String REFERENCE_STORE = "drift-reference-store";

  /** Sink of {@code reward-drift-alerts}. */
  public static final String ALERTS_SINK = "drift-alerts-sink";

  /**
   * The topic names the sub-topology reads and writes.
   *
   * @param rewards RewardResult input
   * @param stats RewardWindowStats output
   * @param alerts DriftAlert output
   */
  public record DriftTopics(String rewards, String stats, String alerts) {

    /** Checks each name the way the broker would. */
    public DriftTopics {
      Topics.REWARDS.withName(rewards);
      Topics.REWARD_STATS.withName(stats);
      Topics.DRIFT_ALERTS.withName(alerts);
    }

    /** {@code rewards}, {@code reward-stats}, {@code reward-drift-alerts}. */
    public static DriftTopics defaults() {
      return new DriftTopics(
          Topics.REWARDS.name(), Topics.REWARD_STATS.name(), Topics.DRIFT_ALERTS.name());
    }
  }

  /**
   * The two output streams, for callers that want to watch them too (e.g. metrics gauges of the
   * latest window's statistics); both are already written to their topics.
   */
  public record DriftStreams(
      KStream<String, RewardWindowStats> stats, KStream<String, DriftAlert> alerts) {}

  private DriftTopology() {}

  /**
   * Builds a topology that only monitors drift, for a separate application (its own {@code
   * application.id}, so its consumer group and internal topics are its own).
   *
   * @return a new topology; build one per {@code KafkaStreams} instance
   */
  public static Topology build(DriftConfig config, DriftTopics topics) {
    StreamsBuilder builder = new StreamsBuilder();
    addTo(builder, config, topics);
    return builder.build();
  }

  /** {@link #build(DriftConfig, DriftTopics)} on the default topics. */
  public static Topology build(DriftConfig config) {
    return build(config, DriftTopics.defaults());
  }

  /**
   * Adds the sub-topology, reading {@code topics.rewards()} with a source of its own. Use it when
   * nothing else in {@code builder} reads that topic (Kafka Streams allows one source per topic);
   * otherwise pass the existing stream to {@link #addTo(KStream, DriftConfig, String, String)}.
   */
  public static DriftStreams addTo(StreamsBuilder builder, DriftConfig config, DriftTopics topics) {
    return addTo(builder, config, topics, WireFormat.singleObject());
  }

  /**
   * {@link #addTo(StreamsBuilder, DriftConfig, DriftTopics)} with the given wire format for the
   * rewards read and the statistics and alerts written (internal topics keep single-object).
   */
  public static DriftStreams addTo(
      StreamsBuilder builder, DriftConfig config, DriftTopics topics, WireFormat wire) {
    Objects.requireNonNull(builder, "builder");
    Objects.requireNonNull(topics, "topics");
    Topic<String, RewardResult> rewards = wire.topic(Topics.REWARDS.withName(topics.rewards()));
    KStream<String, RewardResult> stream =
        builder.stream(
            rewards.name(),
            Consumed.with(rewards.keySerde(), rewards.valueSerde()).withName(SOURCE));
    return addTo(stream, config, topics.stats(), topics.alerts(), wire);
  }

  /**
   * Adds the sub-topology downstream of an existing stream of rewards.
   *
   * @param rewards the RewardResult stream (any key; the record timestamp is replaced by {@code
   *     scored_at})
   * @param config windows, reference and thresholds
   * @param statsTopic topic of the RewardWindowStats
   * @param alertsTopic topic of the DriftAlerts
   */
  public static DriftStreams addTo(
      KStream<String, RewardResult> rewards,
      DriftConfig config,
      String statsTopic,
      String alertsTopic) {
    return addTo(rewards, config, statsTopic, alertsTopic, WireFormat.singleObject());
  }

  /**
   * {@link #addTo(KStream, DriftConfig, String, String)} writing statistics and alerts in the given
   * wire format.
   */
  public static DriftStreams addTo(
      KStream<String, RewardResult> rewards,
      DriftConfig config,
      String statsTopic,
      String alertsTopic,
      WireFormat wire) {
    Objects.requireNonNull(rewards, "rewards");
    Objects.requireNonNull(config, "config");
    Topic<String, RewardWindowStats> stats = wire.topic(Topics.REWARD_STATS.withName(statsTopic));
    Topic<String, DriftAlert> alerts = wire.topic(Topics.DRIFT_ALERTS.withName(alertsTopic));

    KStream<String, RewardWindowStats> windows =
        rewards
            .processValues(
                () -> new EventTimeProcessor<>(RewardResult::getScoredAt), Named.as(EVENT_TIME))
            .groupBy(
                (key, result) -> config.groupBy().key(result),
                Grouped.with(REPARTITION, Serdes.String(), Topics.REWARDS.valueSerde()))
            .windowedBy(windows(config))
            .aggregate(
                () -> WindowAccumulator.empty(config.bins()),
                (key, result, acc) -> acc.add(result),
                Named.as("drift-window-aggregate"),
                Materialized.<String, WindowAccumulator, WindowStore<Bytes, byte[]>>as(WINDOW_STORE)
                    .withKeySerde(Serdes.String())
                    .withValueSerde(WindowAccumulator.serde()))
            .suppress(
                Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded())
                    .withName(SUPPRESS))
            .toStream(Named.as("drift-closed-windows"))
            .process(() -> new WindowStatsProcessor(config.groupBy()), Named.as(WINDOW_STATS));
    windows.to(
        stats.name(), Produced.with(stats.keySerde(), stats.valueSerde()).withName(STATS_SINK));

    KStream<String, DriftAlert> raised =
        windows.process(DriftProcessor.supplier(config), Named.as(DETECT));
    raised.to(
        alerts.name(), Produced.with(alerts.keySerde(), alerts.valueSerde()).withName(ALERTS_SINK));
    return new DriftStreams(windows, raised);
  }

  /** Tumbling windows when hop = size, hopping otherwise; aligned to the epoch. */
  static TimeWindows windows(DriftConfig config) {
    return TimeWindows.ofSizeAndGrace(config.window(), config.grace()).advanceBy(config.hop());
  }
}
