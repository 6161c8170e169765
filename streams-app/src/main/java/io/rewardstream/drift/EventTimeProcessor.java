package io.rewardstream.drift;

import java.time.Instant;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Sets each result's timestamp to its {@code scored_at}, the event time the drift windows use.
 *
 * <p>Why {@code scored_at} and not the Kafka record timestamp: the record timestamp of {@code
 * rewards} is whatever the scoring topology inherited (the rollout's timestamp, or the punctuation
 * time of a batch flushed by the timer), and a replay writes old rollouts' timestamps. {@code
 * scored_at} is when the judge produced this reward, which is the time axis along which a judge or
 * the stream of rollouts it sees drifts. Results with no {@code scored_at} (≤ 0, e.g. from a writer
 * that did not set it) keep their record timestamp. Records are re-timestamped rather than read
 * with a TimestampExtractor so the same step works on a stream the caller already has.
 */
final class EventTimeProcessor<V> implements FixedKeyProcessor<String, V, V> {

  private final Function<V, Instant> scoredAt;
  private FixedKeyProcessorContext<String, V> context;

  /** Re-timestamps with the time {@code scoredAt} reads from each value. */
  EventTimeProcessor(Function<V, Instant> scoredAt) {
    this.scoredAt = scoredAt;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, V> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, V> record) {
    V result = record.value();
    if (result == null) {
      return; // a tombstone carries no reward; nothing to count
    }
    Instant at = scoredAt.apply(result);
    long eventTime = at != null && at.toEpochMilli() > 0 ? at.toEpochMilli() : record.timestamp();
    context.forward(record.withTimestamp(eventTime));
  }
}
