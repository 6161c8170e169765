package io.rewardstream.cli;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rewardstream.app.AppConfig;
import io.rewardstream.app.MetricsServer;
import io.rewardstream.drift.DriftConfig;
import io.rewardstream.drift.DriftTopology;
import io.rewardstream.drift.DriftTopology.DriftTopics;
import io.rewardstream.drift.GroupDriftTopology;
import io.rewardstream.kafka.KafkaPreflight;
import io.rewardstream.schemas.Topic;
import io.rewardstream.schemas.Topics;
import io.rewardstream.schemas.WireFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rewardstream drift}: reward-drift monitoring as its own Kafka Streams application. It
 * needs no model and no GPU, so it runs apart from the scoring workers and scales on its own.
 */
@Command(
    name = "drift",
    mixinStandardHelpOptions = true,
    description = {
      "Watches the rewards topic: windowed reward statistics per policy and judge version to"
          + " reward-stats, and drift alerts (PSI, KS, mean shift against a reference) to"
          + " reward-drift-alerts. With --group-rewards-topic also the group rewards: the"
          + " spread of rewards within a group and the share of all-tie groups to"
          + " group-reward-stats, GROUP_SPREAD / GROUP_TIES alerts. Runs until SIGTERM or Ctrl-C.",
      "Reads the drift.* keys of --config / --set (docs/drift.md); other"
          + " keys, except RewardStream's own, go to Kafka Streams as they are."
    })
final class DriftCommand implements Callable<Integer> {

  @Mixin ConfigMixin config;

  @Option(
      names = "--application-id",
      description = "Kafka Streams application id (default: ${DEFAULT-VALUE}).",
      defaultValue = "rewardstream-drift")
  String applicationId;

  @Option(names = "--rewards-topic", defaultValue = "rewards", description = "Input topic.")
  String rewardsTopic;

  @Option(names = "--stats-topic", defaultValue = "reward-stats", description = "Stats topic.")
  String statsTopic;

  @Option(
      names = "--alerts-topic",
      defaultValue = "reward-drift-alerts",
      description = "Alerts topic.")
  String alertsTopic;

  @Option(
      names = "--group-rewards-topic",
      paramLabel = "TOPIC",
      description =
          "Also watch group rewards (GRPO) on this topic, e.g. group-rewards: spread within groups"
              + " and all-tie groups, alerts GROUP_SPREAD / GROUP_TIES (default: off).")
  String groupRewardsTopic;

  @Option(
      names = "--group-stats-topic",
      defaultValue = "group-reward-stats",
      description = "Group stats topic, with --group-rewards-topic (default: ${DEFAULT-VALUE}).")
  String groupStatsTopic;

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      description = "Serve /healthz and /metrics on this port (0 = any free one; default: off).")
  Integer metricsPort;

  @Option(
      names = "--metrics-bind",
      paramLabel = "ADDRESS",
      defaultValue = "127.0.0.1",
      description = "Address of that server; 0.0.0.0 in a pod (default: ${DEFAULT-VALUE}).")
  String metricsBind;

  @Override
  public Integer call() throws InterruptedException {
    Properties file = config.properties();
    String bootstrapServers = config.bootstrapServers(file);
    DriftConfig drift = DriftConfig.fromProperties(file);
    WireFormat wire = wireFormat(file);
    StreamsBuilder builder = new StreamsBuilder();
    DriftTopology.addTo(
        builder, drift, new DriftTopics(rewardsTopic, statsTopic, alertsTopic), wire);
    if (groupRewardsTopic != null) {
      GroupDriftTopology.addTo(
          builder, drift, groupRewardsTopic, groupStatsTopic, alertsTopic, wire);
    }
    Properties streamsProperties = streamsProperties(file, bootstrapServers);
    List<KafkaPreflight.Need> needs = new ArrayList<>();
    needs.add(new KafkaPreflight.Need(rewardsTopic, "--rewards-topic"));
    needs.add(new KafkaPreflight.Need(statsTopic, "--stats-topic"));
    needs.add(new KafkaPreflight.Need(alertsTopic, "--alerts-topic"));
    if (groupRewardsTopic != null) {
      needs.add(new KafkaPreflight.Need(groupRewardsTopic, "--group-rewards-topic"));
      needs.add(new KafkaPreflight.Need(groupStatsTopic, "--group-stats-topic"));
    }
    Map<String, Object> client = new HashMap<>();
    streamsProperties
        .stringPropertyNames()
        .forEach(k -> client.put(k, streamsProperties.getProperty(k)));
    KafkaPreflight.check(client, needs, KafkaPreflight.DEFAULT_TIMEOUT);
    KafkaStreams streams = new KafkaStreams(builder.build(), streamsProperties);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    MetricsServer metrics =
        metricsPort == null
            ? null
            : MetricsServer.start(metricsBind, metricsPort, registry, streams::state, () -> null);
    if (metrics != null) {
      System.err.printf("drift: /healthz and /metrics on port %d%n", metrics.port());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    streams.setStateListener(
        (now, before) -> {
          if (now == KafkaStreams.State.RUNNING && before == KafkaStreams.State.REBALANCING) {
            System.err.println("drift: running");
          }
          if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
            stopped.countDown();
          }
        });
    Runtime.getRuntime().addShutdownHook(new Thread(streams::close, "drift-shutdown"));
    System.err.printf(
        "drift monitoring %s -> %s, %s%s (%s, bootstrap %s)%n",
        rewardsTopic,
        statsTopic,
        alertsTopic,
        groupRewardsTopic == null ? "" : "; " + groupRewardsTopic + " -> " + groupStatsTopic,
        applicationId,
        bootstrapServers);
    streams.start();
    stopped.await();
    if (metrics != null) {
      metrics.close();
    }
    streamsMetrics.close();
    return streams.state() == KafkaStreams.State.ERROR ? 1 : 0;
  }

  /** The file's wire format, with the schemas of the topics drift writes registered. */
  private WireFormat wireFormat(Properties file) {
    Map<String, String> settings = new HashMap<>();
    file.stringPropertyNames().forEach(k -> settings.put(k, file.getProperty(k)));
    WireFormat wire = WireFormat.from(settings);
    List<Topic<String, ? extends SpecificRecord>> written = new ArrayList<>();
    written.add(Topics.REWARD_STATS.withName(statsTopic));
    written.add(Topics.DRIFT_ALERTS.withName(alertsTopic));
    if (groupRewardsTopic != null) {
      written.add(Topics.GROUP_REWARD_STATS.withName(groupStatsTopic));
    }
    wire.prepare(written);
    return wire;
  }

  /** Kafka keys of the file plus ours: exactly-once like the scoring app (alerts once each). */
  private Properties streamsProperties(Properties file, String bootstrapServers) {
    Properties props = new Properties();
    for (String key : file.stringPropertyNames()) {
      boolean ours =
          key.startsWith("drift.")
              || WireFormat.isWireKey(key)
              || AppConfig.KEYS.stream().anyMatch(k -> k.name().equals(key));
      if (!ours) {
        props.setProperty(key, file.getProperty(key));
      }
    }
    props.setProperty(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.setProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    return props;
  }
}
