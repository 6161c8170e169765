package io.rewardstream.topology;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.RolloutGroup;
import io.rewardstream.judge.Judge;
import io.rewardstream.scoring.DeadLetters;
import io.rewardstream.scoring.Rejection;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Decodes and checks a rollout group, as {@link ValidateProcessor} does a pair: forwards a {@link
 * BufferedGroup} to the group scorer, or a DeadLetter (group_id set, no rollout_id) with the reason
 * and the original bytes: OVERSIZE, UNDECODABLE, MISSING_FIELD, EMPTY_FIELD, GROUP_SIZE,
 * DUPLICATE_RESPONSE, KEY_MISMATCH, OVER_TOKEN_BUDGET.
 */
final class GroupValidateProcessor implements Processor<byte[], byte[], String, Object> {

  private final Deserializer<RolloutGroup> deserializer;
  private final Judge judge;
  private final int maxPromptTokens;
  private final int maxRecordBytes;
  private final int maxGroupSize;
  private ProcessorContext<String, Object> context;

  GroupValidateProcessor(
      Deserializer<RolloutGroup> deserializer,
      Judge judge,
      int maxPromptTokens,
      int maxRecordBytes,
      int maxGroupSize) {
    this.deserializer = deserializer;
    this.judge = judge;
    this.maxPromptTokens = maxPromptTokens;
    this.maxRecordBytes = maxRecordBytes;
    this.maxGroupSize = maxGroupSize;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata source = context.recordMetadata().orElseThrow();
    long size = Rejection.recordSize(record.key(), record.value());
    if (size > maxRecordBytes) {
      // decoded only for the dead letter's group_id; an oversize record never reaches the buffer
      deadLetter(
          record, source, decodeQuietly(source, record), Rejection.oversize(size, maxRecordBytes));
      return;
    }
    RolloutGroup group;
    try {
      group = deserializer.deserialize(source.topic(), record.headers(), record.value());
    } catch (SerializationException e) {
      deadLetter(record, source, null, Rejection.undecodable(e));
      return;
    }
    if (group == null) {
      Rejection tombstone =
          new Rejection(DeadLetterReason.UNDECODABLE, "value is null (a tombstone), not a group");
      deadLetter(record, source, null, tombstone);
      return;
    }
    Optional<Rejection> rejection =
        Rejection.checkGroup(group, maxGroupSize)
            .or(() -> Rejection.checkKey(record.key(), group))
            .or(() -> Rejection.checkGroupBudget(judge, group, maxPromptTokens));
    if (rejection.isPresent()) {
      deadLetter(record, source, group, rejection.get());
      return;
    }
    BufferedGroup buffered =
        new BufferedGroup(
            group,
            source.topic(),
            source.partition(),
            source.offset(),
            context.currentSystemTimeMs(),
            record.key(),
            record.value(),
            List.of());
    context.forward(
        record.withKey(group.getGroupId()).withValue(buffered), RewardTopology.GROUP_SCORE);
  }

  /** The group, for the dead letter's group_id, or null when the bytes do not decode. */
  private RolloutGroup decodeQuietly(RecordMetadata source, Record<byte[], byte[]> record) {
    try {
      return deserializer.deserialize(source.topic(), record.headers(), record.value());
    } catch (RuntimeException e) {
      return null;
    }
  }

  private void deadLetter(
      Record<byte[], byte[]> record, RecordMetadata source, RolloutGroup group, Rejection why) {
    DeadLetter letter =
        DeadLetters.ofGroup(
            why.code(),
            why.reason(),
            group,
            source.topic(),
            source.partition(),
            source.offset(),
            record.key(),
            record.value(),
            context.currentSystemTimeMs());
    String id = group == null ? null : group.getGroupId();
    String key = id == null || id.isBlank() ? null : id;
    context.forward(record.withKey(key).withValue(letter), RewardTopology.GROUP_DLQ_SINK);
  }
}
