package io.rewardstream.drift;

import io.rewardstream.avro.RewardWindowStats;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Turns a closed window's accumulator into its {@link RewardWindowStats}, keyed by the plain {@code
 * policy_version|judge_version} key (the window bounds are in the value), so every window of a key
 * lands on the same partition of {@code reward-stats}, in order.
 */
final class WindowStatsProcessor
    implements Processor<Windowed<String>, WindowAccumulator, String, RewardWindowStats> {

  private final GroupBy groupBy;
  private ProcessorContext<String, RewardWindowStats> context;

  WindowStatsProcessor(GroupBy groupBy) {
    this.groupBy = groupBy;
  }

  @Override
  public void init(ProcessorContext<String, RewardWindowStats> context) {
    this.context = context;
  }

  @Override
  public void process(Record<Windowed<String>, WindowAccumulator> record) {
    Windowed<String> window = record.key();
    RewardWindowStats stats =
        record
            .value()
            .toStats(window.window().start(), window.window().end(), context.currentSystemTimeMs());
    context.forward(new Record<>(window.key(), groupBy.label(stats), record.timestamp()));
  }
}
