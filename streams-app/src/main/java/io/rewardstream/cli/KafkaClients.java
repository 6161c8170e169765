package io.rewardstream.cli;

import io.rewardstream.kafka.KafkaConnection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The plain Kafka clients of the CLI commands: raw bytes in and out, serdes applied by hand. */
public final class KafkaClients {

  private KafkaClients() {}

  /** An idempotent producer (acks=all): a retried send is not written twice. */
  public static KafkaProducer<byte[], byte[]> producer(KafkaConnection connection) {
    Map<String, Object> config = connection.clientConfig();
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * A group-less read_committed consumer: results of aborted transactions (a crashed batch) are
   * never shown, only what the pipeline committed.
   */
  public static KafkaConsumer<byte[], byte[]> committedReader(KafkaConnection connection) {
    Map<String, Object> config = connection.clientConfig();
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Assigns every partition of the topics and seeks to their start or end; the end positions are
   * resolved now, so records produced after this call are all read.
   *
   * @throws IllegalArgumentException if a topic does not exist
   */
  public static List<TopicPartition> assignAll(
      KafkaConsumer<?, ?> consumer, List<String> topics, boolean fromBeginning) {
    List<TopicPartition> partitions = new java.util.ArrayList<>();
    for (String topic : topics) {
      var infos = consumer.partitionsFor(topic);
      if (infos == null || infos.isEmpty()) {
        throw new IllegalArgumentException(
            "topic '" + topic + "' does not exist on the cluster (check --topic and the cluster)");
      }
      infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
    }
    consumer.assign(partitions);
    if (fromBeginning) {
      consumer.seekToBeginning(partitions);
    } else {
      consumer.seekToEnd(partitions);
    }
    partitions.forEach(consumer::position);
    return partitions;
  }
}
