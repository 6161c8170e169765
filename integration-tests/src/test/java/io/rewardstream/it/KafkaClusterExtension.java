package io.rewardstream.it;

import io.rewardstream.broker.EmbeddedKafkaBroker;
import io.rewardstream.kafka.TopicCreator;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Gives a test class one real Kafka cluster, started before its first test and stopped after its
 * last. Register it on a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaClusterExtension kafka = KafkaClusterExtension.fromSystemProperties();
 *
 * @Test
 * void works() {
 *   String topic = kafka.createTopic("rollouts", 3); // unique name, leaders ready
 *   var producerConfig = kafka.clientConfig();        // bootstrap.servers set
 * }
 * }</pre>
 *
 * <p>Which cluster, chosen by system properties (pass them to {@code mvn verify} with {@code -D}):
 *
 * <ul>
 *   <li>default: the in-JVM {@link EmbeddedKafkaBroker} (KRaft, 127.0.0.1);
 *   <li>{@code -Dkafka.broker=testcontainers}: Testcontainers' {@code KafkaContainer} running the
 *       {@code apache/kafka} image of the client's Kafka version (override with {@code
 *       -Dkafka.image=...}); without a Docker engine, the class's tests are reported as skipped;
 *   <li>{@code -Dkafka.bootstrap=host:port}: an external cluster that is already running (wins over
 *       {@code kafka.broker}); topics get the cluster's default replication factor.
 * </ul>
 */
public final class KafkaClusterExtension
    implements ExecutionCondition, BeforeAllCallback, AfterAllCallback {

  /** System property choosing the broker: {@code embedded} (default) or {@code testcontainers}. */
  public static final String BROKER_PROPERTY = "kafka.broker";

  /** System property naming an external cluster's bootstrap servers. */
  public static final String BOOTSTRAP_PROPERTY = "kafka.bootstrap";

  /** System property overriding the Docker image of the Testcontainers broker. */
  public static final String IMAGE_PROPERTY = "kafka.image";

  private static final Logger log = LoggerFactory.getLogger(KafkaClusterExtension.class);

  /** Where the cluster of a test class comes from. */
  public enum Kind {
    /** {@link EmbeddedKafkaBroker} in this JVM. */
    EMBEDDED,
    /** Testcontainers' {@code KafkaContainer}; needs a Docker engine. */
    TESTCONTAINERS,
    /** A running cluster named by {@code -Dkafka.bootstrap}. */
    EXTERNAL
  }

  private final Kind kind;
  private final String externalBootstrap;
  private Cluster cluster;

  private KafkaClusterExtension(Kind kind, String externalBootstrap) {
    this.kind = kind;
    this.externalBootstrap = externalBootstrap;
  }

  /**
   * The cluster the build asked for (see the class comment); the embedded broker by default.
   *
   * @return an extension to register on a static field
   * @throws IllegalArgumentException if {@code kafka.broker} has an unknown value
   */
  public static KafkaClusterExtension fromSystemProperties() {
    String bootstrap = System.getProperty(BOOTSTRAP_PROPERTY, "").trim();
    if (!bootstrap.isEmpty()) {
      return external(bootstrap);
    }
    String broker = System.getProperty(BROKER_PROPERTY, "embedded").trim();
    return switch (broker.toLowerCase(Locale.ROOT)) {
      case "", "embedded" -> embedded();
      case "testcontainers" -> testcontainers();
      default ->
          throw new IllegalArgumentException(
              BROKER_PROPERTY + "=" + broker + ": expected embedded or testcontainers");
    };
  }

  /**
   * @return an extension giving each class an in-JVM {@link EmbeddedKafkaBroker}
   */
  public static KafkaClusterExtension embedded() {
    return new KafkaClusterExtension(Kind.EMBEDDED, null);
  }

  /**
   * @return an extension giving each class a {@code KafkaContainer}; skips without Docker
   */
  public static KafkaClusterExtension testcontainers() {
    return new KafkaClusterExtension(Kind.TESTCONTAINERS, null);
  }

  /**
   * @param bootstrapServers the running cluster's {@code host:port[,host:port]}
   * @return an extension pointing every class at that cluster
   */
  public static KafkaClusterExtension external(String bootstrapServers) {
    return new KafkaClusterExtension(Kind.EXTERNAL, bootstrapServers);
  }

  /** Skips (reports as skipped, not absent) when Testcontainers is asked for without Docker. */
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (kind == Kind.TESTCONTAINERS && !DockerCheck.AVAILABLE) {
      return ConditionEvaluationResult.disabled(
          "Testcontainers Kafka requested but no Docker engine is available");
    }
    return ConditionEvaluationResult.enabled("Kafka cluster: " + kind);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    long startedAt = System.nanoTime();
    cluster =
        switch (kind) {
          case EMBEDDED -> embeddedCluster();
          case TESTCONTAINERS -> containerCluster();
          case EXTERNAL -> externalCluster(externalBootstrap);
        };
    log.info(
        "{}: {} Kafka at {} ready in {} ms",
        context.getDisplayName(),
        kind,
        cluster.bootstrapServers(),
        Duration.ofNanos(System.nanoTime() - startedAt).toMillis());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
  }

  /**
   * @return where the running cluster came from
   */
  public Kind kind() {
    return kind;
  }

  /**
   * @return the running cluster's bootstrap servers
   * @throws IllegalStateException outside the test class's lifetime
   */
  public String bootstrapServers() {
    if (cluster == null) {
      throw new IllegalStateException("no Kafka cluster: register the extension on a static field");
    }
    return cluster.bootstrapServers();
  }

  /**
   * A fresh client configuration for the cluster; add producer, consumer or admin settings to it.
   *
   * @return a mutable map holding {@code bootstrap.servers}
   */
  public Map<String, Object> clientConfig() {
    Map<String, Object> config = new HashMap<>();
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return config;
  }

  /**
   * A topic name no other test (or earlier run on an external cluster) uses.
   *
   * @param prefix readable start of the name, e.g. {@code "rollouts"}
   * @return {@code prefix-<8 random hex digits>}
   */
  public String uniqueTopicName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Creates a topic with a {@linkplain #uniqueTopicName unique name} and waits until every
   * partition has a leader, so records produced next are not lost (KAFKA-15591).
   *
   * @param prefix readable start of the name
   * @param partitions partition count
   * @return the topic's name
   */
  public String createTopic(String prefix, int partitions) {
    String name = uniqueTopicName(prefix);
    try (Admin admin = Admin.create(clientConfig())) {
      TopicCreator.createTopics(admin, Map.of(name, partitions), cluster.replicationFactor());
    }
    return name;
  }

  private interface Cluster extends AutoCloseable {
    String bootstrapServers();

    Optional<Short> replicationFactor();

    @Override
    void close();
  }

  private static Cluster embeddedCluster() {
    EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker().start();
    return new Cluster() {
      @Override
      public String bootstrapServers() {
        return broker.bootstrapServers();
      }

      @Override
      public Optional<Short> replicationFactor() {
        return Optional.of((short) 1);
      }

      @Override
      public void close() {
        broker.close();
      }
    };
  }

  private static Cluster containerCluster() {
    String image = System.getProperty(IMAGE_PROPERTY, "apache/kafka:" + AppInfoParser.getVersion());
    KafkaContainer container = new KafkaContainer(image);
    container.start();
    return new Cluster() {
      @Override
      public String bootstrapServers() {
        return container.getBootstrapServers();
      }

      @Override
      public Optional<Short> replicationFactor() {
        return Optional.of((short) 1);
      }

      @Override
      public void close() {
        container.stop();
      }
    };
  }

  private static Cluster externalCluster(String bootstrap) {
    return new Cluster() {
      @Override
      public String bootstrapServers() {
        return bootstrap;
      }

      @Override
      public Optional<Short> replicationFactor() {
        return Optional.empty();
      }

      @Override
      public void close() {}
    };
  }

  /** Asks Testcontainers once per JVM, and only if a class wants a container. */
  private static final class DockerCheck {
    static final boolean AVAILABLE = DockerClientFactory.instance().isDockerAvailable();
  }
}
