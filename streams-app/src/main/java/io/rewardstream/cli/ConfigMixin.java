package io.rewardstream.cli;

import io.rewardstream.app.AppConfig;
import io.rewardstream.config.ConfigValues;
import io.rewardstream.kafka.KafkaConnection;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * How the long-running applications ({@code run}, {@code drift}) take their configuration: a
 * properties file, then {@code --set KEY=VALUE}, then {@code --bootstrap-servers}, each over the
 * one before.
 */
final class ConfigMixin {

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Properties file (UTF-8); missing keys take their defaults.")
  Path config;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "Set one key, over the file (repeatable), e.g. --set judge.mode=greedy or --set drift.window.ms=60000.")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT[,...]",
      description =
          "Kafka bootstrap servers; wins over bootstrap.servers of --config/--set (default: "
              + KafkaMixin.DEFAULT_BOOTSTRAP_SERVERS
              + ").")
  String bootstrapServers;

  @Option(
      names = "--client-config",
      paramLabel = "FILE",
      description =
          "Kafka client properties for every client (security.protocol, sasl.*, ssl.*);"
              + " REWARDSTREAM_KAFKA_<KEY> variables override it.")
  Path clientConfig;

  /**
   * File, then --client-config, then REWARDSTREAM_KAFKA_* variables, then --set, then
   * --bootstrap-servers.
   */
  Properties properties() {
    Properties properties = config == null ? new Properties() : ConfigValues.read(config);
    KafkaConnection.settings(clientConfig, System.getenv()).forEach(properties::setProperty);
    overrides.forEach(properties::setProperty);
    if (bootstrapServers != null) {
      properties.setProperty(AppConfig.BOOTSTRAP_SERVERS, bootstrapServers);
    }
    return properties;
  }

  /** The bootstrap servers the three sources give, or the default. */
  String bootstrapServers(Properties properties) {
    return properties.getProperty(
        AppConfig.BOOTSTRAP_SERVERS, KafkaMixin.DEFAULT_BOOTSTRAP_SERVERS);
  }
}
