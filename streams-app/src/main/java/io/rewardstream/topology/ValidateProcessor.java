package io.rewardstream.topology;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.judge.Judge;
import io.rewardstream.scoring.DeadLetters;
import io.rewardstream.scoring.PairInputs;
import io.rewardstream.scoring.Rejection;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Decodes the raw input and checks it; forwards a {@link BufferedPair} to the batch buffer, or a
 * DeadLetter with the reason and the original bytes to the dead-letter sink.
 *
 * <p>Decoding happens here, not in the source, so that an undecodable record still has its bytes
 * and its source position when it is dead-lettered, and gets a DeadLetter Avro record with a reason
 * rather than the raw copy Kafka's built-in dead-letter support would write.
 */
final class ValidateProcessor implements Processor<byte[], byte[], String, Object> {

  private final InputDecoder<RolloutPair> decoder;
  private final Judge judge;
  private final int maxPromptTokens;
  private ProcessorContext<String, Object> context;

  ValidateProcessor(
      Deserializer<RolloutPair> deserializer,
      Judge judge,
      int maxPromptTokens,
      int maxRecordBytes) {
    this.decoder = new InputDecoder<>(deserializer, maxRecordBytes, "pair");
    this.judge = judge;
    this.maxPromptTokens = maxPromptTokens;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata source = context.recordMetadata().orElseThrow();
    InputDecoder.Decoded<RolloutPair> decoded = decoder.decode(source.topic(), record);
    if (decoded.rejection() != null) {
      deadLetter(record, source, decoded.value(), decoded.rejection());
      return;
    }
    RolloutPair pair = decoded.value();
    Optional<Rejection> rejection =
        Rejection.checkFields(pair)
            .or(() -> Rejection.checkKey(record.key(), pair))
            .or(() -> overBudget(pair));
    if (rejection.isPresent()) {
      deadLetter(record, source, pair, rejection.get());
      return;
    }
    BufferedPair buffered =
        new BufferedPair(
            pair,
            source.topic(),
            source.partition(),
            source.offset(),
            context.currentSystemTimeMs(),
            record.key(),
            record.value());
    context.forward(record.withKey(pair.getRolloutId()).withValue(buffered), RewardTopology.BUFFER);
  }

  private Optional<Rejection> overBudget(RolloutPair pair) {
    try {
      return Rejection.checkBudget(judge, PairInputs.of(pair), maxPromptTokens);
    } catch (RuntimeException e) {
      // Goes to the processing exception handler, which dead-letters this record (OTHER).
      throw new IllegalStateException(
          "counting the judge prompt tokens of rollout '" + pair.getRolloutId() + "' failed", e);
    }
  }

  private void deadLetter(
      Record<byte[], byte[]> record, RecordMetadata source, RolloutPair pair, Rejection why) {
    long now = context.currentSystemTimeMs();
    DeadLetter letter =
        DeadLetters.of(
            why.code(),
            why.reason(),
            pair,
            source.topic(),
            source.partition(),
            source.offset(),
            record.key(),
            record.value(),
            now);
    String id = pair == null ? null : pair.getRolloutId();
    String key = id == null || id.isBlank() ? null : id;
    context.forward(record.withKey(key).withValue(letter), RewardTopology.DLQ_SINK);
  }
}
