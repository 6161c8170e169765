package io.rewardstream.kafka;

import io.rewardstream.schemas.WireFormat;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * How every Kafka client a command creates (producer, consumer, admin, Kafka Streams) reaches and
 * authenticates to the cluster: the bootstrap servers plus the connection and security settings of
 * a client config file ({@code --client-config}: Kafka's usual properties, {@code
 * security.protocol}, {@code sasl.*}, {@code ssl.*}), with environment-variable overrides for
 * secrets, so a password never sits on a command line or in a ConfigMap.
 *
 * <p>An environment variable {@code REWARDSTREAM_KAFKA_<KEY>} sets {@code <key>} (upper case, dots
 * as underscores): {@code REWARDSTREAM_KAFKA_SASL_JAAS_CONFIG} sets {@code sasl.jaas.config}; it
 * wins over the file. Kafka's own config providers ({@code ${env:VAR}}, {@code ${file:...}}) work
 * in the file too.
 *
 * <p>The same settings carry the wire format of the topics' values ({@code serde.format}, {@code
 * schema.registry.url} and the other {@code schema.registry.*} keys, as Confluent's tools read them
 * from a client config): {@link #wireFormat()}; they are not handed to Kafka's clients.
 *
 * @param bootstrapServers the brokers to start from
 * @param settings connection and security settings applied to every client
 */
public record KafkaConnection(String bootstrapServers, Map<String, String> settings) {

  /** Prefix of the environment variables that override client settings. */
  public static final String ENV_PREFIX = "REWARDSTREAM_KAFKA_";

  /**
   * Keys a client config may not set: each is RewardStream's own decision (delivery guarantees,
   * serialization, group identity) or has its own option ({@code --bootstrap-servers}).
   */
  private static final Set<String> OWNED =
      Set.of(
          CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
          "key.serializer",
          "value.serializer",
          "key.deserializer",
          "value.deserializer",
          "enable.idempotence",
          "acks",
          "transactional.id",
          "isolation.level",
          "enable.auto.commit",
          "group.id",
          "application.id",
          "processing.guarantee");

  public KafkaConnection {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    if (bootstrapServers.isBlank()) {
      throw new IllegalArgumentException(
          "bootstrap servers are empty: give --bootstrap-servers HOST:PORT[,...]");
    }
    settings = Map.copyOf(checked(settings));
  }

  /** The settings, once none of them is a key RewardStream sets itself. */
  private static Map<String, String> checked(Map<String, String> settings) {
    for (String key : settings.keySet()) {
      if (OWNED.contains(key)) {
        throw new IllegalArgumentException(
            "client setting '"
                + key
                + "' is not allowed in --client-config or "
                + ENV_PREFIX
                + "*: "
                + (key.equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)
                    ? "give it with --bootstrap-servers"
                    : "RewardStream sets it itself (exactly-once delivery and its own serdes)"));
      }
    }
    return settings;
  }

  /** Plaintext, no settings: a local or test cluster. */
  public static KafkaConnection of(String bootstrapServers) {
    return new KafkaConnection(bootstrapServers, Map.of());
  }

  /**
   * The bootstrap servers with the settings of a client config file (null for none), overridden by
   * {@code REWARDSTREAM_KAFKA_*} variables of {@code environment}.
   *
   * @throws IllegalArgumentException naming the file when it cannot be read, or the bad key
   */
  public static KafkaConnection resolve(
      String bootstrapServers, Path clientConfig, Map<String, String> environment) {
    return new KafkaConnection(bootstrapServers, settings(clientConfig, environment));
  }

  /**
   * The client settings alone (for a command whose bootstrap servers come from its own config): the
   * file's (null for none), overridden by the environment's, checked like {@link #resolve}.
   */
  public static Map<String, String> settings(Path clientConfig, Map<String, String> environment) {
    Map<String, String> settings = new TreeMap<>();
    if (clientConfig != null) {
      settings.putAll(readFile(clientConfig));
    }
    settings.putAll(fromEnvironment(environment));
    return checked(settings);
  }

  /** The settings of a Kafka client properties file. */
  public static Map<String, String> readFile(Path file) {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read --client-config " + file + ": " + e.getMessage(), e);
    }
    Map<String, String> out = new TreeMap<>();
    p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k).strip()));
    return out;
  }

  /** {@code REWARDSTREAM_KAFKA_SASL_JAAS_CONFIG=...} becomes {@code sasl.jaas.config=...}. */
  public static Map<String, String> fromEnvironment(Map<String, String> environment) {
    Map<String, String> out = new TreeMap<>();
    environment.forEach(
        (name, value) -> {
          if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
            String key =
                name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
            out.put(key, value);
          }
        });
    return out;
  }

  /**
   * A fresh, mutable client config: bootstrap servers and every setting but the wire format's
   * ({@code serde.format}, {@code schema.registry.*}), which are not Kafka's.
   */
  public Map<String, Object> clientConfig() {
    Map<String, Object> config = new HashMap<>();
    settings.forEach(
        (key, value) -> {
          if (!WireFormat.isWireKey(key)) {
            config.put(key, value);
          }
        });
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return config;
  }

  /**
   * The wire format these settings ask for ({@code serde.format}, {@code schema.registry.*}), with
   * a new registry client when one is configured: call once per command.
   *
   * @throws IllegalArgumentException naming the bad or missing setting
   */
  public WireFormat wireFormat() {
    return WireFormat.from(settings);
  }

  /** Where and how it connects, for logs: never a secret. */
  public String describe() {
    String protocol =
        settings.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT");
    String mechanism = settings.get("sasl.mechanism");
    return bootstrapServers
        + " ("
        + protocol
        + (mechanism != null && protocol.startsWith("SASL") ? " " + mechanism : "")
        + ")";
  }
}
