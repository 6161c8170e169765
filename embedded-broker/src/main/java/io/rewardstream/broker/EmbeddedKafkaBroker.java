package io.rewardstream.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import kafka.server.ControllerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.metadata.FeatureLevelRecord;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.ApiMessageAndVersion;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined controller + broker) running inside this JVM,
 * for the demo and the integration tests.
 *
 * <p>It is Apache Kafka's own {@link KafkaClusterTestKit}: the same {@code BrokerServer} and {@code
 * ControllerServer} a production broker runs, not a mock. Both listeners bind to {@code 127.0.0.1}
 * only, the data lives in a temporary directory that {@link #close()} removes (so does a JVM
 * shutdown hook, for Ctrl-C and SIGTERM), and the internal topics are sized for one broker so that
 * transactions and consumer groups work.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker().start()) {
 *   broker.createTopics(Map.of("rollouts", 3));
 *   String bootstrap = broker.bootstrapServers(); // "127.0.0.1:<port>"
 * }
 * }</pre>
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

  /** The only interface the broker listens on: nothing outside this machine can reach it. */
  public static final String LOOPBACK = "127.0.0.1";

  private static final String CLIENT_LISTENER = "CLIENT";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final String SCRAM_LISTENER = "SCRAM";
  private static final String TLS_LISTENER = "TLS";

  /** The SASL mechanism of {@link #withScramListener()}. */
  public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

  private final Map<String, String> overrides;
  private boolean scram;
  private String scramBootstrapServers;
  private Path tlsKeystore;
  private String tlsPassword;
  private String tlsBootstrapServers;
  private KafkaClusterTestKit cluster;
  private Path dataDir;
  private String bootstrapServers;
  private Thread shutdownHook;

  /** A broker with the default single-node settings (see {@link #defaultConfig()}). */
  public EmbeddedKafkaBroker() {
    this(Map.of());
  }

  /**
   * A broker with extra broker settings on top of {@link #defaultConfig()}.
   *
   * @param brokerConfigOverrides broker properties (e.g. {@code log.retention.ms}); the listener
   *     settings cannot be overridden, the broker always binds to 127.0.0.1
   */
  public EmbeddedKafkaBroker(Map<String, String> brokerConfigOverrides) {
    for (String key : brokerConfigOverrides.keySet()) {
      if (key.equals("listeners") || key.equals("advertised.listeners")) {
        throw new IllegalArgumentException(
            key + "=" + brokerConfigOverrides.get(key) + ": the embedded broker binds 127.0.0.1");
      }
    }
    this.overrides = Map.copyOf(brokerConfigOverrides);
  }

  /**
   * Adds a second client listener on 127.0.0.1 that authenticates with SASL SCRAM-SHA-512 ({@code
   * SASL_PLAINTEXT}), as a secured production cluster would; users are added with {@link
   * #addScramUser}. The plaintext listener stays (the broker's own inter-broker traffic, and the
   * admin that adds users).
   *
   * @return this broker, not yet started
   */
  public synchronized EmbeddedKafkaBroker withScramListener() {
    if (cluster != null) {
      throw new IllegalStateException("withScramListener() must be called before start()");
    }
    scram = true;
    return this;
  }

  /**
   * Adds a client listener on 127.0.0.1 that speaks TLS ({@code SSL}) with this PKCS12 keystore
   * (key and certificate for 127.0.0.1), as a TLS-only production cluster would.
   *
   * @return this broker, not yet started
   */
  public synchronized EmbeddedKafkaBroker withTlsListener(Path pkcs12Keystore, String password) {
    if (cluster != null) {
      throw new IllegalStateException("withTlsListener() must be called before start()");
    }
    tlsKeystore = pkcs12Keystore;
    tlsPassword = password;
    return this;
  }

  /**
   * The address of the TLS listener ({@link #withTlsListener}).
   *
   * @return {@code 127.0.0.1:<port>}
   * @throws IllegalStateException if the broker is not running or has no TLS listener
   */
  public synchronized String tlsBootstrapServers() {
    if (tlsBootstrapServers == null) {
      throw new IllegalStateException("embedded broker has no running TLS listener");
    }
    return tlsBootstrapServers;
  }

  /**
   * The broker settings that differ from Kafka's defaults, each because there is one broker.
   *
   * @return an ordered, mutable copy
   */
  public static Map<String, String> defaultConfig() {
    Map<String, String> config = new LinkedHashMap<>();
    // One broker: internal topics cannot have three replicas, or transactions and groups never
    // start (the producer's initTransactions() would wait forever for the coordinator).
    config.put("offsets.topic.replication.factor", "1");
    config.put("transaction.state.log.replication.factor", "1");
    config.put("transaction.state.log.min.isr", "1");
    config.put("share.coordinator.state.topic.replication.factor", "1");
    config.put("share.coordinator.state.topic.min.isr", "1");
    // Fewer internal partitions than the default 50: the first consumer group and the first
    // transactional producer each create one of these topics, and 50 partitions cost seconds.
    config.put("offsets.topic.num.partitions", "5");
    config.put("transaction.state.log.num.partitions", "5");
    // A consumer group on a test broker need not wait 3 s for more members to join.
    config.put("group.initial.rebalance.delay.ms", "0");
    // Behave like a released broker: no unreleased protocol versions or features.
    config.put("unstable.api.versions.enable", "false");
    config.put("unstable.feature.versions.enable", "false");
    return config;
  }

  /**
   * Formats the storage and starts the broker; returns once it accepts clients.
   *
   * @return this broker, started
   * @throws BrokerException if the broker cannot start
   * @throws IllegalStateException if it was already started
   */
  public synchronized EmbeddedKafkaBroker start() {
    if (cluster != null) {
      throw new IllegalStateException("embedded broker already started at " + bootstrapServers);
    }
    long startedAt = System.nanoTime();
    try {
      dataDir = Files.createTempDirectory("rewardstream-kafka-");
      BootstrapMetadata metadata = releasedMetadata();
      cluster = buildCluster(dataDir, metadata);
      bindLoopbackOnly(cluster);
      format(cluster, metadata);
      cluster.startup();
      cluster.waitForReadyBrokers();
      bootstrapServers = LOOPBACK + ":" + clientPort(cluster, CLIENT_LISTENER);
      if (scram) {
        scramBootstrapServers = LOOPBACK + ":" + clientPort(cluster, SCRAM_LISTENER);
      }
      if (tlsKeystore != null) {
        tlsBootstrapServers = LOOPBACK + ":" + clientPort(cluster, TLS_LISTENER);
      }
      // Ctrl-C skips try-with-resources; without this the data would stay in the temp dir.
      shutdownHook = new Thread(this::close, "embedded-kafka-shutdown");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    } catch (Exception e) {
      close();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new BrokerException("could not start the embedded Kafka broker", e);
    }
    long millis = Duration.ofNanos(System.nanoTime() - startedAt).toMillis();
    log.info(
        "Embedded Kafka {} broker (KRaft) listening on {} in {} ms; data in {}",
        AppInfoParser.getVersion(),
        bootstrapServers,
        millis,
        dataDir);
    return this;
  }

  /**
   * The address clients connect to.
   *
   * @return {@code 127.0.0.1:<port>}
   * @throws IllegalStateException if the broker is not running
   */
  public synchronized String bootstrapServers() {
    if (bootstrapServers == null) {
      throw new IllegalStateException("embedded broker is not running");
    }
    return bootstrapServers;
  }

  /**
   * The address of the SCRAM listener ({@link #withScramListener()}).
   *
   * @return {@code 127.0.0.1:<port>}
   * @throws IllegalStateException if the broker is not running or has no SCRAM listener
   */
  public synchronized String scramBootstrapServers() {
    if (scramBootstrapServers == null) {
      throw new IllegalStateException("embedded broker has no running SCRAM listener");
    }
    return scramBootstrapServers;
  }

  /**
   * Adds (or updates) a SCRAM-SHA-512 user, through the plaintext listener; returns once the broker
   * has it.
   *
   * @throws BrokerException if the broker refuses
   */
  public void addScramUser(String user, String password) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
      admin
          .alterUserScramCredentials(
              List.of(
                  new UserScramCredentialUpsertion(
                      user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password)))
          .all()
          .get();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new BrokerException("could not add SCRAM user " + user, e);
    }
  }

  /**
   * The temporary directory holding the broker's logs and metadata; removed by {@link #close()}.
   *
   * @return the directory
   */
  public synchronized Path dataDirectory() {
    bootstrapServers();
    return dataDir;
  }

  /** Stops the broker and deletes its data directory. Safe to call more than once. */
  @Override
  public synchronized void close() {
    removeShutdownHook();
    if (cluster != null) {
      try {
        cluster.close();
      } catch (Exception e) {
        log.warn("Embedded Kafka broker did not shut down cleanly", e);
      }
      cluster = null;
    }
    if (dataDir != null) {
      try {
        Utils.delete(dataDir.toFile());
      } catch (IOException e) {
        log.warn("Could not delete the embedded broker's data in {}", dataDir, e);
      }
      dataDir = null;
    }
    bootstrapServers = null;
    scramBootstrapServers = null;
    tlsBootstrapServers = null;
  }

  /**
   * The test kit defaults to the newest <em>unreleased</em> metadata version and feature levels;
   * pin what a released broker of this Kafka version formats with, so clients meet a real broker.
   */
  private static BootstrapMetadata releasedMetadata() {
    MetadataVersion version = MetadataVersion.latestProduction();
    Map<String, Short> features = new TreeMap<>();
    for (Feature feature : Feature.PRODUCTION_FEATURES) {
      features.put(feature.featureName(), feature.defaultLevel(version));
    }
    return BootstrapMetadata.fromVersions(version, features, "rewardstream");
  }

  private void removeShutdownHook() {
    if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down and the hook is running or about to: nothing to undo.
      }
    }
    shutdownHook = null;
  }

  private KafkaClusterTestKit buildCluster(Path baseDir, BootstrapMetadata metadata)
      throws Exception {
    TestKitNodes nodes =
        new TestKitNodes.Builder(metadata)
            .setCombined(true)
            .setNumBrokerNodes(1)
            .setNumControllerNodes(1)
            .setBaseDirectory(baseDir)
            .setBrokerListenerName(ListenerName.normalised(CLIENT_LISTENER))
            .setControllerListenerName(ListenerName.normalised(CONTROLLER_LISTENER))
            .build();
    KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
    Map<String, String> config = defaultConfig();
    config.putAll(overrides);
    List<String> listeners = new ArrayList<>(List.of(CLIENT_LISTENER, CONTROLLER_LISTENER));
    List<String> protocols =
        new ArrayList<>(
            List.of(CLIENT_LISTENER + ":PLAINTEXT", CONTROLLER_LISTENER + ":PLAINTEXT"));
    if (scram) {
      listeners.add(SCRAM_LISTENER);
      protocols.add(SCRAM_LISTENER + ":SASL_PLAINTEXT");
      String prefix = "listener.name." + SCRAM_LISTENER.toLowerCase(Locale.ROOT) + ".";
      config.put(prefix + "sasl.enabled.mechanisms", SCRAM_MECHANISM);
      config.put(
          prefix + SCRAM_MECHANISM.toLowerCase(Locale.ROOT) + ".sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    }
    if (tlsKeystore != null) {
      listeners.add(TLS_LISTENER);
      protocols.add(TLS_LISTENER + ":SSL");
      String prefix = "listener.name." + TLS_LISTENER.toLowerCase(Locale.ROOT) + ".";
      config.put(prefix + "ssl.keystore.location", tlsKeystore.toAbsolutePath().toString());
      config.put(prefix + "ssl.keystore.type", "PKCS12");
      config.put(prefix + "ssl.keystore.password", tlsPassword);
      config.put(prefix + "ssl.key.password", tlsPassword);
    }
    if (listeners.size() > 2) {
      config.put("listener.security.protocol.map", String.join(",", protocols));
    }
    config.put(
        "listeners",
        String.join(",", listeners.stream().map(l -> l + "://" + LOOPBACK + ":0").toList()));
    config.forEach(builder::setConfigProp);
    return builder.build();
  }

  /**
   * The test kit pre-binds each listener's port on the wildcard address (0.0.0.0) so it knows the
   * controller port before the servers start. Closing those sockets before start-up makes each
   * server re-bind the same port on the configured host, 127.0.0.1, so nothing listens on an
   * outside interface. The manager has no public accessor, hence the reflection; if a Kafka upgrade
   * renames the field, start() fails loudly rather than listening on every interface.
   */
  private static void bindLoopbackOnly(KafkaClusterTestKit cluster) throws Exception {
    Field field;
    try {
      field = KafkaClusterTestKit.class.getDeclaredField("socketFactoryManager");
    } catch (NoSuchFieldException e) {
      throw new BrokerException(
          "this Kafka version's test kit has no socketFactoryManager; cannot bind to loopback only",
          e);
    }
    field.setAccessible(true);
    ((AutoCloseable) field.get(cluster)).close();
  }

  /**
   * Formats the storage as {@code kafka-storage format} would, with released feature levels. The
   * test kit's own {@code format()} does the same but prints to stdout and enables unstable feature
   * versions; this keeps the demo's output clean and the broker a released one.
   */
  private static void format(KafkaClusterTestKit cluster, BootstrapMetadata metadata)
      throws Exception {
    for (ControllerServer controller : cluster.controllers().values()) {
      MetaPropertiesEnsemble ensemble = controller.sharedServer().metaPropsEnsemble();
      ByteArrayOutputStream output = new ByteArrayOutputStream();
      Formatter formatter =
          new Formatter()
              .setPrintStream(new PrintStream(output, true, StandardCharsets.UTF_8))
              .setNodeId(ensemble.nodeId().getAsInt())
              .setClusterId(ensemble.clusterId().orElseThrow())
              .setDirectories(ensemble.logDirProps().keySet())
              .setReleaseVersion(metadata.metadataVersion())
              .setControllerListenerName(CONTROLLER_LISTENER)
              .setMetadataLogDirectory(ensemble.metadataLogDir());
      for (ApiMessageAndVersion record : metadata.records()) {
        if (record.message() instanceof FeatureLevelRecord feature
            && !feature.name().equals(MetadataVersion.FEATURE_NAME)) {
          formatter.setFeatureLevel(feature.name(), feature.featureLevel());
        }
      }
      formatter.run();
      log.debug(
          "Formatted {}: {}", ensemble.metadataLogDir(), output.toString(StandardCharsets.UTF_8));
    }
  }

  private static int clientPort(KafkaClusterTestKit cluster, String listener) {
    return cluster
        .brokers()
        .values()
        .iterator()
        .next()
        .boundPort(ListenerName.normalised(listener));
  }
}
