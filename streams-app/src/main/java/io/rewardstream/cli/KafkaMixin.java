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

  /** The settings alone, not checked against the cluster (no network). */
  KafkaConnection resolved() {
    return KafkaConnection.resolve(bootstrapServers, clientConfig, System.getenv());
  }

  /**
   * The settings, once checked: Kafka answers, accepts the credentials and has these topics (in
   * pairs: topic, then the option that names it, for the message).
   *
   * @throws io.rewardstream.kafka.KafkaPreflightException with the one-line reason
   */
  KafkaConnection connection(String... topicAndSetting) {
    KafkaConnection connection = resolved();
    List<KafkaPreflight.Need> needs = new ArrayList<>();
    for (int i = 0; i < topicAndSetting.length; i += 2) {
      needs.add(new KafkaPreflight.Need(topicAndSetting[i], topicAndSetting[i + 1]));
    }
    KafkaPreflight.check(connection.clientConfig(), needs, KafkaPreflight.DEFAULT_TIMEOUT);
    return connection;
  }
}
