package io.rewardstream.cli;

import io.rewardstream.broker.EmbeddedKafkaBroker;
import io.rewardstream.broker.TopicCreator;
import io.rewardstream.schemas.Topics;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rewardstream demo}: the end-to-end demo. Today it starts an embedded Kafka broker (or uses
 * the cluster given with {@code --bootstrap-servers}) and creates the standard topics; the scoring
 * pipeline is wired in by a later issue.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the demo: starts an embedded Kafka broker on 127.0.0.1 and creates the standard"
          + " topics.",
      "The scoring pipeline (sample rollouts -> judge -> rewards) is not wired in yet."
    })
final class DemoCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT[,HOST:PORT...]",
      description = {
        "Use this existing Kafka cluster instead of starting the embedded broker.",
        "Missing topics are created with the cluster's default replication factor."
      })
  private String bootstrapServers;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (bootstrapServers != null) {
      createTopics(bootstrapServers, Optional.empty());
      report(out, bootstrapServers, "the Kafka cluster you gave");
      return 0;
    }
    try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker().start()) {
      createTopics(broker.bootstrapServers(), Optional.of((short) 1));
      report(out, broker.bootstrapServers(), "an embedded Kafka broker (KRaft, 127.0.0.1 only)");
      out.println("Stopping the embedded broker and deleting its data.");
      out.flush();
    }
    return 0;
  }

  /** The topics every RewardStream deployment uses, with the demo's partition counts. */
  static Map<String, Integer> standardTopics() {
    Map<String, Integer> topics = new LinkedHashMap<>();
    // Three partitions: enough for several stream tasks to share the work. Per-rollout topics
    // share the count, so one rollout's input, reward and dead letter have the same partition.
    topics.put(Topics.ROLLOUTS.name(), 3);
    topics.put(Topics.REWARDS.name(), 3);
    topics.put(Topics.ROLLOUTS_DLQ.name(), 3);
    topics.put(Topics.REWARD_STATS.name(), 1);
    topics.put(Topics.DRIFT_ALERTS.name(), 1);
    return topics;
  }

  private static void createTopics(String bootstrap, Optional<Short> replicationFactor) {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      TopicCreator.createTopics(admin, standardTopics(), replicationFactor);
    }
  }

  private static void report(PrintWriter out, String bootstrap, String where) {
    out.println("Kafka bootstrap servers: " + bootstrap + " (" + where + ")");
    standardTopics()
        .forEach(
            (topic, partitions) ->
                out.printf("  topic %-22s %d partition(s)%n", topic, partitions));
    out.println(
        "The scoring pipeline (rollouts -> reflective judge -> rewards) is not wired into the"
            + " demo yet; a later issue adds it. Nothing was scored.");
    out.flush();
  }
}
