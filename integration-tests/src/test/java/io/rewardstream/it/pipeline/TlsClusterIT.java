package io.rewardstream.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.broker.EmbeddedKafkaBroker;
import io.rewardstream.cli.RewardStreamCli;
import io.rewardstream.kafka.KafkaConnection;
import io.rewardstream.kafka.TopicCreator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The commands over TLS: the embedded broker with an {@code SSL} listener whose certificate (for
 * 127.0.0.1) is made here with the JDK's keytool. {@code produce} and {@code tail} trust it through
 * a truststore named in {@code --client-config}; a truststore that does not hold it fails fast,
 * naming the ssl.truststore settings.
 */
class TlsClusterIT {

  private static final String PASSWORD = "tls-" + System.nanoTime();
  private static EmbeddedKafkaBroker broker;
  private static Path dir;

  @BeforeAll
  static void startTlsBroker() throws Exception {
    dir = Pipelines.tempDir("tls");
    keyPair("broker", "broker.p12", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1");
    keytool(
        "-exportcert",
        "-alias",
        "broker",
        "-keystore",
        path("broker.p12"),
        "-storepass",
        PASSWORD,
        "-rfc",
        "-file",
        path("broker.crt"));
    keytool(
        "-importcert",
        "-alias",
        "broker",
        "-file",
        path("broker.crt"),
        "-keystore",
        path("trust.p12"),
        "-storetype",
        "PKCS12",
        "-storepass",
        PASSWORD,
        "-noprompt");
    // a truststore of another CA: the broker's certificate is not in it
    keyPair("other", "other.p12", "CN=other");
    broker = new EmbeddedKafkaBroker().withTlsListener(dir.resolve("broker.p12"), PASSWORD).start();
    TopicCreator.createTopics(
        KafkaConnection.of(broker.bootstrapServers()),
        Map.of("t-rollouts", 1),
        Optional.of((short) 1));
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void produceAndTailOverTlsAndAnUntrustedCertificateFailsFast() throws Exception {
    String tls = broker.tlsBootstrapServers();
    Path trusted = clientConfig("client.properties", "trust.p12");
    Path untrusted = clientConfig("untrusted.properties", "other.p12");
    Path jsonl = dir.resolve("pairs.jsonl");
    Files.writeString(
        jsonl,
        "{\"rollout_id\": \"tls-1\", \"prompt\": \"Ana has 3 cups. How many cups does Ana have?\","
            + " \"response_a\": \"3 cups.\", \"response_b\": \"4 cups.\", \"policy_version\": \"p\"}\n",
        StandardCharsets.UTF_8);

    // Step 1: produce and read back over TLS.
    CliRun produce =
        CliRun.of(
            "produce",
            "--bootstrap-servers",
            tls,
            "--client-config",
            trusted.toString(),
            "--file",
            jsonl.toString(),
            "--topic",
            "t-rollouts");
    assertThat(produce.status()).as(produce.err()).isZero();
    CliRun tail =
        CliRun.of(
            "tail",
            "--bootstrap-servers",
            tls,
            "--client-config",
            trusted.toString(),
            "--topic",
            "t-rollouts",
            "--from-beginning",
            "--max",
            "1",
            "--idle-timeout",
            "60");
    assertThat(tail.status()).as(tail.err()).isZero();
    assertThat(tail.out()).contains("tls-1");

    // Step 2: a truststore without the broker's certificate: one line naming the setting, fast.
    long t0 = System.nanoTime();
    CliRun refused =
        CliRun.of(
            "tail",
            "--bootstrap-servers",
            tls,
            "--client-config",
            untrusted.toString(),
            "--topic",
            "t-rollouts",
            "--max",
            "1");
    assertThat(refused.status()).as(refused.err()).isEqualTo(RewardStreamCli.KAFKA_ERROR);
    assertThat(refused.err())
        .contains("TLS handshake with Kafka at " + tls + " failed")
        .contains("ssl.truststore.location");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
  }

  private static Path clientConfig(String name, String truststore) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(
        file,
        "security.protocol=SSL\n"
            + "ssl.truststore.location="
            + dir.resolve(truststore)
            + "\nssl.truststore.type=PKCS12\nssl.truststore.password="
            + PASSWORD
            + "\n",
        StandardCharsets.UTF_8);
    return file;
  }

  private static String path(String name) {
    return dir.resolve(name).toString();
  }

  /** A fresh RSA key pair with a self-signed certificate (2 days) in a new PKCS12 keystore. */
  private static void keyPair(String alias, String keystore, String dname, String... extra)
      throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "-genkeypair",
                "-alias",
                alias,
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                dname,
                "-keystore",
                path(keystore),
                "-storetype",
                "PKCS12",
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD));
    args.addAll(List.of(extra));
    keytool(args.toArray(String[]::new));
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("keytool %s: %s", args[0], out).isZero();
  }
}
