package io.rewardstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class ConfigMixinTest {

  @Command(name = "probe")
  static final class Probe {
    @Mixin ConfigMixin config;
  }

  private static ConfigMixin parse(String... args) {
    Probe probe = new Probe();
    new CommandLine(probe).parseArgs(args);
    return probe.config;
  }

  @Test
  void fileThenSetThenBootstrapServersEachWinOverTheOneBefore(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("app.properties");
    Files.writeString(
        file, "bootstrap.servers=file:9092\nbatch.size=4\njudge.mode=vote\ndrift.window.ms=5\n");

    Properties fileOnly = parse("--config", file.toString()).properties();
    ConfigMixin all =
        parse(
            "--config", file.toString(),
            "--set", "batch.size=8",
            "--set", "bootstrap.servers=set:9092",
            "--bootstrap-servers", "flag:9092");
    Properties merged = all.properties();

    assertThat(fileOnly.getProperty("bootstrap.servers")).isEqualTo("file:9092");
    assertThat(merged.getProperty("batch.size")).isEqualTo("8");
    assertThat(merged.getProperty("judge.mode")).isEqualTo("vote");
    assertThat(merged.getProperty("drift.window.ms")).isEqualTo("5");
    assertThat(all.bootstrapServers(merged)).isEqualTo("flag:9092");
  }

  @Test
  void theFilesBootstrapServersStandWithoutTheFlagAndTheDefaultWithoutEither(@TempDir Path dir)
      throws Exception {
    // drift used to default its flag to localhost:9092, silently overriding the file's value.
    Path file = dir.resolve("drift.properties");
    Files.writeString(file, "bootstrap.servers=kafka-0:9092\n");

    ConfigMixin fromFile = parse("--config", file.toString());
    ConfigMixin none = parse();

    assertThat(fromFile.bootstrapServers(fromFile.properties())).isEqualTo("kafka-0:9092");
    assertThat(none.bootstrapServers(none.properties())).isEqualTo("localhost:9092");
  }

  @Test
  void clientConfigSettingsReachTheStreamsClientsOfRunAndDrift(@TempDir Path dir) throws Exception {
    Path client = dir.resolve("client.properties");
    Files.writeString(
        client,
        "security.protocol=SSL\nssl.truststore.location=/ca.p12\nssl.truststore.password=pw\n");
    Path app = dir.resolve("app.properties");
    Files.writeString(app, "bootstrap.servers=kafka:9093\nbatch.size=4\n");
    ConfigMixin mixin = parse("--config", app.toString(), "--client-config", client.toString());
    var config = io.rewardstream.app.AppConfig.fromProperties(mixin.properties());
    // Kafka Streams hands un-prefixed client settings to its producer, consumers and admin
    assertThat(config.streamsProperties())
        .containsEntry("security.protocol", "SSL")
        .containsEntry("ssl.truststore.location", "/ca.p12");
    assertThat(config.kafkaClientConfig())
        .containsEntry("ssl.truststore.password", "pw")
        .containsEntry("bootstrap.servers", "kafka:9093");
  }
}
