package io.rewardstream.topology;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.schemas.WireFormat;
import io.rewardstream.schemas.registry.RegistryFailure;
import io.rewardstream.scoring.BatchScorer;
import io.rewardstream.scoring.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams' processing exception handler (KIP-1033) using its dead-letter records (KIP-1034):
 * an unexpected exception while processing one input record (a bug, or a judge that cannot count a
 * pair's tokens) dead-letters that record as an Avro {@link DeadLetter} with reason OTHER, with its
 * original bytes and source position, and the stream thread keeps running.
 *
 * <p>Why not Kafka's built-in {@code errors.dead.letter.queue.topic.name}: its default handlers
 * write a raw copy of the record with error headers, while our dead-letter topic's contract is one
 * Avro DeadLetter per record, with a reason code. So this handler builds the DeadLetter itself and
 * hands it to Streams as a KIP-1034 dead-letter record, which Streams produces in the task's
 * transaction. The topic comes from {@link #DLQ_TOPIC_CONFIG}, not the built-in key, so Kafka's
 * default production handler never writes raw records into our topic.
 *
 * <p>An exception in a punctuator (no input record) is not dead-lettered: it fails the thread and
 * goes to the uncaught-exception handler, since there is no record to blame. The scoring punctuator
 * catches judge errors itself (a FAILED result per pair), so that means a real fault.
 */
public final class DeadLetterProcessingExceptionHandler implements ProcessingExceptionHandler {

  /** Streams property naming the dead-letter topic; set by the app from topic.dlq. */
  public static final String DLQ_TOPIC_CONFIG = "rewardstream.dlq.topic";

  private static final Logger LOG =
      LoggerFactory.getLogger(DeadLetterProcessingExceptionHandler.class);

  /**
   * Streams property carrying the app's {@link WireFormat} object (not a string: the handler is
   * made by Kafka Streams from the properties, and this is how it gets the app's registry client);
   * absent = single-object encoding.
   */
  public static final String WIRE_FORMAT_CONFIG = "rewardstream.wire.format";

  private String dlqTopic;
  private Serializer<DeadLetter> serializer = WireFormat.singleObject().deadLetter().serializer();

  /** The Streams properties with the wire format the handler writes its dead letters in. */
  public static Properties withWireFormat(Properties streamsProperties, WireFormat wire) {
    Properties copy = new Properties();
    copy.putAll(streamsProperties);
    copy.put(WIRE_FORMAT_CONFIG, wire);
    return copy;
  }

  @Override
  public void configure(Map<String, ?> configs) {
    if (configs.get(WIRE_FORMAT_CONFIG) instanceof WireFormat wire) {
      serializer = wire.deadLetter().serializer();
    }
    Object topic = configs.get(DLQ_TOPIC_CONFIG);
    if (topic == null || topic.toString().isBlank()) {
      throw new IllegalArgumentException(
          "Invalid config " + DLQ_TOPIC_CONFIG + "=" + topic + ": set it to the DLQ topic");
    }
    this.dlqTopic = topic.toString();
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    if (isRegistryFailure(exception)) {
      // The registry is down or refuses us: not this record's fault. Failing the thread aborts the
      // transaction; the thread-failure policy replaces the thread, which reads the record again.
      LOG.error(
          "schema registry failure in {} on {}-{}@{}; failing the stream thread (the record is"
              + " read again, not dead-lettered)",
          context.processorNodeId(),
          context.topic(),
          context.partition(),
          context.offset(),
          exception);
      return Response.fail();
    }
    if (context.sourceRawValue() == null && context.sourceRawKey() == null) {
      LOG.error(
          "unexpected error in {} with no input record; failing",
          context.processorNodeId(),
          exception);
      return Response.fail();
    }
    LOG.warn(
        "unexpected error in {} on {}-{}@{}; dead-lettering the record",
        context.processorNodeId(),
        context.topic(),
        context.partition(),
        context.offset(),
        exception);
    DeadLetter letter = deadLetter(context, record, exception);
    byte[] key =
        letter.getRolloutId() == null
            ? null
            : letter.getRolloutId().getBytes(StandardCharsets.UTF_8);
    byte[] value = serializer.serialize(dlqTopic, letter);
    return Response.resume(List.of(new ProducerRecord<>(dlqTopic, key, value)));
  }

  private static boolean isRegistryFailure(Throwable exception) {
    for (Throwable t = exception; t != null; t = t.getCause()) {
      if (t instanceof RegistryFailure) {
        return true;
      }
    }
    return false;
  }

  private static DeadLetter deadLetter(
      ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    String rolloutId = record == null ? null : keyText(record.key());
    String reason =
        "unexpected error in "
            + context.processorNodeId()
            + (rolloutId == null ? "" : " for rollout '" + rolloutId + "'")
            + ": "
            + BatchScorer.describe(exception);
    DeadLetter letter =
        DeadLetters.of(
            DeadLetterReason.OTHER,
            reason,
            null,
            context.topic(),
            context.partition(),
            context.offset(),
            context.sourceRawKey(),
            context.sourceRawValue(),
            System.currentTimeMillis());
    letter.setRolloutId(rolloutId);
    return letter;
  }

  /** The record key as text: rollout ids are UTF-8 strings, raw (source) or deserialized. */
  private static String keyText(Object key) {
    if (key instanceof String text) {
      return text;
    }
    return key instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : null;
  }
}
