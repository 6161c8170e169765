package io.rewardstream.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewardstream.schemas.WireFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaConnectionTest {

  private static final String TLS =
      "security.protocol=SSL\n"
          + "ssl.truststore.location=/etc/kafka/ca.p12\n"
          + "ssl.truststore.type=PKCS12\n"
          + "ssl.truststore.password=from-file\n";

  @Test
  void theFileGivesEverySettingAndTheEnvironmentOverridesSecrets(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("client.properties");
    Files.writeString(file, TLS);
    KafkaConnection c =
        KafkaConnection.resolve(
            "kafka:9093",
            file,
            Map.of(
                "REWARDSTREAM_KAFKA_SSL_TRUSTSTORE_PASSWORD", "from-env",
                "REWARDSTREAM_KAFKA_SASL_JAAS_CONFIG", "jaas",
                "OTHER_VAR", "ignored"));
    assertThat(c.clientConfig())
        .containsEntry("bootstrap.servers", "kafka:9093")
        .containsEntry("security.protocol", "SSL")
        .containsEntry("ssl.truststore.location", "/etc/kafka/ca.p12")
        .containsEntry("ssl.truststore.password", "from-env")
        .containsEntry("sasl.jaas.config", "jaas")
        .hasSize(6);
    assertThat(c.describe()).isEqualTo("kafka:9093 (SSL)").doesNotContain("from-env");
  }

  @Test
  void keysRewardStreamSetsItselfAreRefusedWithTheReason() {
    assertThatThrownBy(
            () -> new KafkaConnection("k:9092", Map.of("isolation.level", "read_uncommitted")))
        .hasMessageContaining("'isolation.level'")
        .hasMessageContaining("exactly-once");
    assertThatThrownBy(() -> new KafkaConnection("k:9092", Map.of("bootstrap.servers", "x:1")))
        .hasMessageContaining("--bootstrap-servers");
    assertThatThrownBy(() -> KafkaConnection.of(" ")).hasMessageContaining("--bootstrap-servers");
  }

  @Test
  void anUnreadableFileIsNamed(@TempDir Path dir) {
    Path missing = dir.resolve("nope.properties");
    assertThatThrownBy(() -> KafkaConnection.resolve("k:9092", missing, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--client-config " + missing);
  }

  @Test
  void aSaslConnectionDescribesItsMechanismNotItsPassword() {
    KafkaConnection c =
        new KafkaConnection(
            "k:9092",
            Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "x password=\"secret\";"));
    assertThat(c.describe()).isEqualTo("k:9092 (SASL_SSL SCRAM-SHA-512)");
  }

  @Test
  void theWireFormatKeysGiveTheFormatAndNeverReachKafkasClients() {
    KafkaConnection c =
        new KafkaConnection(
            "k:9092",
            Map.of(
                "serde.format", "registry",
                "schema.registry.url", "http://registry:8081",
                "schema.registry.basic.auth.user.info", "u:secret",
                "security.protocol", "SASL_SSL"));

    assertThat(c.clientConfig())
        .containsEntry("security.protocol", "SASL_SSL")
        .doesNotContainKeys(
            "serde.format", "schema.registry.url", "schema.registry.basic.auth.user.info");
    assertThat(c.wireFormat().format()).isEqualTo(WireFormat.Format.REGISTRY);
    assertThat(c.wireFormat().describe()).contains("http://registry:8081").doesNotContain("secret");
  }
}
