package io.rewardstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.schemas.registry.RegistryRefusedException;
import io.rewardstream.schemas.registry.RegistrySettings;
import io.rewardstream.schemas.registry.RegistryUnavailableException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/**
 * The registry-mode serde without a registry answering: what it decides before any registry call
 * (single-object input, garbage, short Confluent headers), the settings' checks, and a registry
 * that does not answer (a closed port on 127.0.0.1). Registration and id lookups against a real
 * registry are in SchemaRegistryIT (integration-tests).
 */
class RegistrySerdeTest {

  /** A port nothing listens on: connections are refused at once. */
  private static final String DOWN = "http://127.0.0.1:1";

  private static RolloutPair pair() {
    return RolloutPair.newBuilder()
        .setRolloutId("r-1")
        .setPrompt("Ana has 3 cups. How many cups does Ana have?")
        .setResponseA("3 cups.")
        .setResponseB("4 cups.")
        .setPolicyVersion("p")
        .setProducedAt(Instant.parse("2026-01-01T00:00:00Z"))
        .build();
  }

  private static WireFormat down(WireFormat.Format format, Duration retry) {
    return WireFormat.withRegistry(
        format, new RegistrySettings(URI.create(DOWN), null, null, null, null, true, retry));
  }

  @Test
  void readsSingleObjectWithoutAskingTheRegistryAndWritesItInSingleObjectMode() {
    Serde<RolloutPair> serde = down(WireFormat.Format.SINGLE_OBJECT, Duration.ZERO).rolloutPair();
    byte[] single = AvroSerdes.rolloutPair().serializer().serialize("t", pair());

    assertThat(serde.deserializer().deserialize("t", single)).isEqualTo(pair());
    assertThat(serde.serializer().serialize("t", pair())).isEqualTo(single);
  }

  @Test
  void bytesOfNeitherFormatAndShortHeadersAreRecordErrorsNamingBothFormats() {
    Serde<RolloutPair> serde = down(WireFormat.Format.REGISTRY, Duration.ZERO).rolloutPair();

    assertThatThrownBy(
            () -> serde.deserializer().deserialize("t", "{}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(AvroDecodingException.class)
        .hasMessageContaining("NOT_SINGLE_OBJECT")
        .hasMessageContaining("neither the Confluent wire format");
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", new byte[] {0, 0, 1}))
        .isInstanceOf(AvroDecodingException.class)
        .hasMessageContaining("TRUNCATED");
  }

  @Test
  void aRegistryThatDoesNotAnswerIsRetriedThenUnavailableNotARecordError() {
    Serde<RolloutPair> serde =
        down(WireFormat.Format.REGISTRY, Duration.ofMillis(600)).rolloutPair();
    byte[] framed = {0, 0, 0, 0, 7, 2, 'x'};

    long start = System.nanoTime();
    assertThatThrownBy(() -> serde.deserializer().deserialize("t", framed))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessageContaining("did not answer for 600 ms")
        .hasMessageContaining("schema.registry.url");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(500));
    assertThatThrownBy(() -> serde.serializer().serialize("t", pair()))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessageContaining("register io.rewardstream.avro.RolloutPair under subject 't-value'");
  }

  @Test
  void aUrlThatIsNotARegistryStopsAtStartAndIsNeverTakenForAnUnknownId() throws Exception {
    // A real HTTP server that is not a registry (e.g. Apicurio's base URL without
    // /apis/ccompat/v7): every path answers a plain 404.
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = "<html>Not Found</html>".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(404, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    try {
      WireFormat wire =
          WireFormat.from(
              Map.of(
                  "serde.format",
                  "registry",
                  "schema.registry.url",
                  "http://127.0.0.1:" + server.getAddress().getPort()));

      assertThatThrownBy(() -> wire.prepare(List.of(Topics.REWARDS)))
          .isInstanceOf(RegistryRefusedException.class)
          .hasMessageContaining("HTTP 404")
          .hasMessageContaining("/apis/ccompat/v7");
      assertThatThrownBy(
              () ->
                  wire.rolloutPair().deserializer().deserialize("t", new byte[] {0, 0, 0, 0, 7, 2}))
          .isInstanceOf(RegistryRefusedException.class)
          .isNotInstanceOf(AvroDecodingException.class);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aTopicCostsOneRegistryCallNotOnePerRecord() throws Exception {
    // A stand-in registry (JDK HttpServer) that counts the calls: the test is about the serde's
    // caching; a real registry is in SchemaRegistryIT.
    java.util.concurrent.atomic.AtomicInteger calls =
        new java.util.concurrent.atomic.AtomicInteger();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/subjects/t-value/versions",
        exchange -> {
          calls.incrementAndGet();
          byte[] body = "{\"id\":7}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    try {
      Serde<RolloutPair> serde =
          WireFormat.withRegistry(
                  WireFormat.Format.REGISTRY,
                  RegistrySettings.of("http://127.0.0.1:" + server.getAddress().getPort()))
              .rolloutPair();
      byte[] last = null;
      for (int i = 0; i < 100; i++) {
        last = serde.serializer().serialize("t", pair());
      }

      assertThat(calls.get()).isEqualTo(1);
      assertThat(java.util.Arrays.copyOf(last, 5)).containsExactly(0, 0, 0, 0, 7);
      assertThat(serde.deserializer().deserialize("t", last)).isEqualTo(pair());
    } finally {
      server.stop(0);
    }
  }

  @Test
  void settingsAreCheckedWithTheKeyAndTheFix() {
    assertThat(WireFormat.from(Map.of()).format()).isEqualTo(WireFormat.Format.SINGLE_OBJECT);
    assertThat(WireFormat.from(Map.of()).registry()).isEmpty();
    assertThatThrownBy(() -> WireFormat.from(Map.of("serde.format", "registry")))
        .hasMessageContaining("serde.format=registry needs schema.registry.url");
    assertThatThrownBy(() -> WireFormat.from(Map.of("serde.format", "confluent")))
        .hasMessageContaining("give single-object or registry");
    assertThatThrownBy(() -> RegistrySettings.from(Map.of("schema.registry.url", "registry:8081")))
        .hasMessageContaining("is not an http(s) URL");
    assertThatThrownBy(
            () ->
                RegistrySettings.from(
                    Map.of(
                        "schema.registry.url",
                        "http://r:8081",
                        "schema.registry.basic.auth.user.info",
                        "nocolon")))
        .hasMessageContaining("must be user:password");
    RegistrySettings settings =
        RegistrySettings.from(
                Map.of(
                    "schema.registry.url",
                    "http://r:8081/",
                    "schema.registry.basic.auth.user.info",
                    "u:secret",
                    "schema.registry.auto.register",
                    "false"))
            .orElseThrow();
    assertThat(settings.url()).isEqualTo(URI.create("http://r:8081"));
    assertThat(settings.autoRegister()).isFalse();
    assertThat(settings.describe()).contains("basic auth").doesNotContain("secret");
    assertThat(WireFormat.isWireKey("schema.registry.url")).isTrue();
    assertThat(WireFormat.isWireKey("serde.format")).isTrue();
    assertThat(WireFormat.isWireKey("sasl.jaas.config")).isFalse();
  }
}
