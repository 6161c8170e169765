package io.rewardstream.cli;

import io.rewardstream.kafka.KafkaConnection;
import io.rewardstream.kafka.KafkaPreflight;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --bootstrap-servers} and {@code --client-config} of the commands that talk to Kafka
 * without an application config file; {@code REWARDSTREAM_KAFKA_*} environment variables override
 * the client config (secrets).
 */
final class KafkaMixin {

  static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT[,...]",
      defaultValue = DEFAULT_BOOTSTRAP_SERVERS,
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(
      names = {"--client-config", "--kafka-config"},
      paramLabel = "FILE",
      description =
          "Kafka client properties for every client (security.protocol, sasl.*, ssl.*);"
              + " REWARDSTREAM_KAFKA_<KEY> variables override it (e.g."
              + " REWARDSTREAM_KAFKA_SASL_JAAS_CONFIG).")
  Path clientConfig;

  private KafkaConnection checked;

  /** The settings alone, not checked against the cluster (no network). */
  KafkaConnection resolved() {
    return KafkaConnection.resolve(bootstrapServers, clientConfig, System.getenv());
  }

  /**
   * Bootstrap servers, the client config file and the environment's overrides; checked once, on
   * first use, that Kafka answers and accepts the credentials.
   */
  KafkaConnection connection() {
    if (checked == null) {
      KafkaConnection connection = resolved();
      KafkaPreflight.check(connection.clientConfig(), List.of(), KafkaPreflight.DEFAULT_TIMEOUT);
      checked = connection;
    }
    return checked;
  }

  /** {@link #connection()}, and the topics exist ({@code setting} names each for the message). */
  KafkaConnection connection(String... topicAndSetting) {
    KafkaConnection connection = connection();
    List<KafkaPreflight.Need> needs = new ArrayList<>();
    for (int i = 0; i < topicAndSetting.length; i += 2) {
      needs.add(new KafkaPreflight.Need(topicAndSetting[i], topicAndSetting[i + 1]));
    }
    KafkaPreflight.check(connection.clientConfig(), needs, KafkaPreflight.DEFAULT_TIMEOUT);
    return connection;
  }
}
