package io.rewardstream.gateway;

import io.rewardstream.schemas.WireFormat;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a gateway instance needs: where Kafka is, where to listen, the topics of the scoring
 * deployment behind it, and its limits.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param bind address to listen on (127.0.0.1 unless told otherwise)
 * @param port port to listen on, 0 for any free one
 * @param deadline the longest a request waits for its results before it is answered 504
 * @param maxInFlight most items (pairs or groups) awaited at once over all requests; a request that
 *     would go over it is answered 429 with Retry-After
 * @param rolloutsTopic pair input topic ({@code topic.input} of the scorers)
 * @param rewardsTopic pair result topic
 * @param dlqTopic dead-letter topic
 * @param groupsTopic group input topic
 * @param groupRewardsTopic group result topic (read when it exists)
 * @param kafka extra Kafka client settings (security.protocol, sasl.*, ssl.*, ...), and the wire
 *     format's ({@code serde.format}, {@code schema.registry.*}; see {@link #clientSettings()})
 */
public record GatewayConfig(
    String bootstrapServers,
    String bind,
    int port,
    Duration deadline,
    int maxInFlight,
    String rolloutsTopic,
    String rewardsTopic,
    String dlqTopic,
    String groupsTopic,
    String groupRewardsTopic,
    Map<String, Object> kafka) {

  public GatewayConfig {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(bind, "bind");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port " + port + ": use a port in [0, 65535]");
    }
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("--deadline " + deadline + ": must be positive");
    }
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("--max-in-flight " + maxInFlight + ": must be >= 1");
    }
    kafka = Map.copyOf(kafka);
  }

  /** The Kafka client settings: {@link #kafka()} without the wire format's keys. */
  public Map<String, Object> clientSettings() {
    Map<String, Object> settings = new HashMap<>();
    kafka.forEach(
        (key, value) -> {
          if (!WireFormat.isWireKey(key)) {
            settings.put(key, value);
          }
        });
    return settings;
  }

  /** The defaults of the scoring deployment's topics, with these connection settings. */
  public static GatewayConfig defaults(String bootstrapServers, String bind, int port) {
    return new GatewayConfig(
        bootstrapServers,
        bind,
        port,
        Duration.ofSeconds(120),
        4096,
        "rollouts",
        "rewards",
        "rollouts-dlq",
        "rollout-groups",
        "group-rewards",
        Map.of());
  }
}
