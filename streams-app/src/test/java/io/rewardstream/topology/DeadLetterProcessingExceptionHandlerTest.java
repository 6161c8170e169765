package io.rewardstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.schemas.AvroSerdes;
import io.rewardstream.schemas.WireFormat;
import io.rewardstream.schemas.registry.RegistryUnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

class DeadLetterProcessingExceptionHandlerTest {

  private record Context(byte[] sourceRawKey, byte[] sourceRawValue)
      implements ErrorHandlerContext {
    @Override
    public String topic() {
      return "rollouts";
    }

    @Override
    public int partition() {
      return 2;
    }

    @Override
    public long offset() {
      return 17;
    }

    @Override
    public Headers headers() {
      return new RecordHeaders();
    }

    @Override
    public String processorNodeId() {
      return RewardTopology.VALIDATE;
    }

    @Override
    public TaskId taskId() {
      return new TaskId(0, 2);
    }

    @Override
    public long timestamp() {
      return 0;
    }
  }

  private static DeadLetterProcessingExceptionHandler handler() {
    var handler = new DeadLetterProcessingExceptionHandler();
    handler.configure(Map.of(DeadLetterProcessingExceptionHandler.DLQ_TOPIC_CONFIG, "dlq"));
    return handler;
  }

  @Test
  void deadLettersTheRecordAsAnAvroDeadLetterAndResumes() {
    byte[] key = "r9".getBytes(StandardCharsets.UTF_8);
    byte[] value = {1, 2, 3};

    var response =
        handler()
            .handleError(
                new Context(key, value),
                new Record<>(key, value, 0L),
                new IllegalStateException("boom"));

    assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).hasSize(1);
    ProducerRecord<byte[], byte[]> out = response.deadLetterQueueRecords().get(0);
    assertThat(out.topic()).isEqualTo("dlq");
    assertThat(out.key()).isEqualTo(key);
    DeadLetter letter = AvroSerdes.deadLetter().deserializer().deserialize("dlq", out.value());
    assertThat(letter.getReasonCode()).isEqualTo(DeadLetterReason.OTHER);
    assertThat(letter.getReason()).contains("validate").contains("r9").contains("boom");
    assertThat(letter.getRolloutId()).isEqualTo("r9");
    assertThat(letter.getSourcePartition()).isEqualTo(2);
    assertThat(letter.getSourceOffset()).isEqualTo(17);
    assertThat(letter.getOriginalValue().array()).containsExactly(1, 2, 3);
  }

  @Test
  void failsWhenThereIsNoInputRecordToBlame() {
    var response =
        handler().handleError(new Context(null, null), null, new IllegalStateException("tick"));

    assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
    assertThat(response.deadLetterQueueRecords()).isEmpty();
  }

  @Test
  void aSchemaRegistryOutageFailsTheThreadInsteadOfDeadLetteringAGoodRecord() {
    byte[] key = "r9".getBytes(StandardCharsets.UTF_8);
    byte[] value = {0, 0, 0, 0, 7};

    var response =
        handler()
            .handleError(
                new Context(key, value),
                new Record<>(key, value, 0L),
                new IllegalStateException(
                    "wrapped",
                    new RegistryUnavailableException("the schema registry did not answer", null)));

    assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.FAIL);
    assertThat(response.deadLetterQueueRecords()).isEmpty();
  }

  @Test
  void theAppsWireFormatReachesTheHandlerThroughTheStreamsConfig() {
    WireFormat wire = WireFormat.from(Map.of("schema.registry.url", "http://127.0.0.1:1"));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "t");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");

    StreamsConfig config =
        new StreamsConfig(DeadLetterProcessingExceptionHandler.withWireFormat(props, wire));

    // Streams configures its handlers with the originals, objects included.
    assertThat(config.originals().get(DeadLetterProcessingExceptionHandler.WIRE_FORMAT_CONFIG))
        .isSameAs(wire);
  }

  @Test
  void refusesToStartWithoutADlqTopic() {
    assertThatThrownBy(() -> new DeadLetterProcessingExceptionHandler().configure(Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(DeadLetterProcessingExceptionHandler.DLQ_TOPIC_CONFIG);
  }
}
