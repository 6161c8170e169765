package io.rewardstream.cli;

import io.rewardstream.app.AppConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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

  /** File, then --set, then --bootstrap-servers. */
  Properties properties() {
    Properties properties = new Properties();
    if (config != null) {
      try (Reader reader = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
        properties.load(reader);
      } catch (NoSuchFileException e) {
        throw new IllegalArgumentException("--config " + config + ": no such file");
      } catch (IOException | IllegalArgumentException e) {
        throw new IllegalArgumentException("--config " + config + ": " + e.getMessage(), e);
      }
    }
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
