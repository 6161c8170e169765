package io.rewardstream.drift;

import io.rewardstream.avro.DriftAlert;
import io.rewardstream.avro.GroupRewardResult;
import io.rewardstream.avro.GroupWindowStats;
import io.rewardstream.schemas.Topic;
import io.rewardstream.schemas.Topics;
import io.rewardstream.schemas.WireFormat;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The group-reward drift sub-topology: group results in, windowed group statistics and alerts out,
 * the same shape as {@link DriftTopology} for pairs (event time = {@code scored_at}, series by
 * {@code drift.group.by}, windows emitted once when they close, a changelogged reference per key).
 *
 * <pre>
 * group-rewards ─► group-drift-event-time ─► group by version (group-drift-by-version-repartition)
 *   ─► group-drift-window-aggregate [group-drift-window-store] ─► group-drift-until-window-closes
 *   ─► group-drift-window-stats ─┬─► group-reward-stats
 *                                └─► group-drift-detect [group-drift-reference-store] ─► alerts
 * </pre>
 */
public final class GroupDriftTopology {

  public static final String SOURCE = "group-drift-source";
  public static final String WINDOW_STORE = "group-drift-window-store";
  public static final String REFERENCE_STORE = "group-drift-reference-store";

  private GroupDriftTopology() {}

  /**
   * Adds the sub-topology, reading {@code groupRewardsTopic} with a source of its own.
   *
   * @param statsTopic topic of the GroupWindowStats
   * @param alertsTopic topic of the DriftAlerts (may be the pairs' alerts topic)
   */
  public static void addTo(
      StreamsBuilder builder,
      DriftConfig config,
      String groupRewardsTopic,
      String statsTopic,
      String alertsTopic) {
    addTo(builder, config, groupRewardsTopic, statsTopic, alertsTopic, WireFormat.singleObject());
  }

  /**
   * {@link #addTo(StreamsBuilder, DriftConfig, String, String, String)} with the given wire format
   * for the topics read and written (the repartition topic keeps single-object encoding).
   */
  public static void addTo(
      StreamsBuilder builder,
      DriftConfig config,
      String groupRewardsTopic,
      String statsTopic,
      String alertsTopic,
      WireFormat wire) {
    Objects.requireNonNull(config, "config");
    Topic<String, GroupRewardResult> in =
        wire.topic(Topics.GROUP_REWARDS.withName(groupRewardsTopic));
    Topic<String, GroupWindowStats> stats =
        wire.topic(Topics.GROUP_REWARD_STATS.withName(statsTopic));
    Topic<String, DriftAlert> alerts = wire.topic(Topics.DRIFT_ALERTS.withName(alertsTopic));
    GroupBy groupBy = config.groupBy();

    KStream<String, GroupWindowStats> windows =
        builder.stream(in.name(), Consumed.with(in.keySerde(), in.valueSerde()).withName(SOURCE))
            .processValues(
                () -> new EventTimeProcessor<>(GroupRewardResult::getScoredAt),
                Named.as("group-drift-event-time"))
            .groupBy(
                (key, g) -> groupBy.key(g.getPolicyVersion(), g.getJudgeVersion()),
                Grouped.with(
                    "group-drift-by-version", Serdes.String(), Topics.GROUP_REWARDS.valueSerde()))
            .windowedBy(DriftTopology.windows(config))
            .aggregate(
                GroupWindowAccumulator::new,
                (key, g, acc) -> acc.add(g),
                Named.as("group-drift-window-aggregate"),
                Materialized.<String, GroupWindowAccumulator, WindowStore<Bytes, byte[]>>as(
                        WINDOW_STORE)
                    .withKeySerde(Serdes.String())
                    .withValueSerde(new JsonSerde<>(GroupWindowAccumulator.class)))
            .suppress(
                Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded())
                    .withName("group-drift-until-window-closes"))
            .toStream(Named.as("group-drift-closed-windows"))
            .map(
                (window, acc) ->
                    KeyValue.pair(
                        window.key(),
                        acc.stats(
                            window.window().start(),
                            window.window().end(),
                            groupBy,
                            System.currentTimeMillis())),
                Named.as("group-drift-window-stats"));
    windows.to(
        stats.name(),
        Produced.with(stats.keySerde(), stats.valueSerde()).withName("group-drift-stats-sink"));
    windows
        .process(supplier(config), Named.as("group-drift-detect"))
        .to(
            alerts.name(),
            Produced.with(alerts.keySerde(), alerts.valueSerde())
                .withName("group-drift-alerts-sink"));
  }

  private static ProcessorSupplier<String, GroupWindowStats, String, DriftAlert> supplier(
      DriftConfig config) {
    return new ProcessorSupplier<>() {
      @Override
      public Processor<String, GroupWindowStats, String, DriftAlert> get() {
        return new Detect(new GroupDriftDetector(config));
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(
            Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(REFERENCE_STORE),
                Serdes.String(),
                new JsonSerde<>(GroupDriftDetector.GroupReference.class)));
      }
    };
  }

  /** Compares each closed window with its key's stored reference; forwards the alerts. */
  private static final class Detect
      implements Processor<String, GroupWindowStats, String, DriftAlert> {
    private final GroupDriftDetector detector;
    private ProcessorContext<String, DriftAlert> context;
    private KeyValueStore<String, GroupDriftDetector.GroupReference> references;

    Detect(GroupDriftDetector detector) {
      this.detector = detector;
    }

    @Override
    public void init(ProcessorContext<String, DriftAlert> context) {
      this.context = context;
      this.references = context.getStateStore(REFERENCE_STORE);
    }

    @Override
    public void process(Record<String, GroupWindowStats> record) {
      GroupDriftDetector.Step step =
          detector.step(
              record.key(),
              references.get(record.key()),
              record.value(),
              context.currentSystemTimeMs());
      if (step.changed()) {
        references.put(record.key(), step.reference());
      }
      step.alerts()
          .forEach(alert -> context.forward(new Record<>(record.key(), alert, record.timestamp())));
    }
  }
}
