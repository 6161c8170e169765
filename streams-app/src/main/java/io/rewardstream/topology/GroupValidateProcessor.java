package io.rewardstream.topology;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.RolloutGroup;
import io.rewardstream.judge.Judge;
import io.rewardstream.scoring.DeadLetters;
import io.rewardstream.scoring.Rejection;
import java.util.List;
import java.util.Optional;
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

  private final InputDecoder<RolloutGroup> decoder;
  private final Judge judge;
  private final int maxPromptTokens;
  private final int maxGroupSize;
  private ProcessorContext<String, Object> context;

  GroupValidateProcessor(
      Deserializer<RolloutGroup> deserializer,
      Judge judge,
      int maxPromptTokens,
      int maxRecordBytes,
      int maxGroupSize) {
    this.decoder = new InputDecoder<>(deserializer, maxRecordBytes, "group");
    this.judge = judge;
    this.maxPromptTokens = maxPromptTokens;
    this.maxGroupSize = maxGroupSize;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata source = context.recordMetadata().orElseThrow();
    InputDecoder.Decoded<RolloutGroup> decoded = decoder.decode(source.topic(), record);
    if (decoded.rejection() != null) {
      deadLetter(record, source, decoded.value(), decoded.rejection());
      return;
    }
    RolloutGroup group = decoded.value();
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
