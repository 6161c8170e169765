package io.rewardstream.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates topics on any Kafka cluster and returns only once every partition has a leader.
 *
 * <p>The wait is the point: right after creation, Kafka 4.3.1 can silently drop records sent to a
 * partition whose leader is not yet known (KAFKA-15591), so nothing may be produced to a new topic
 * before this returns. Used by the embedded broker, the demo with an external cluster, and the
 * integration-test harness.
 */
public final class TopicCreator {

  /** How long partitions may take to get a leader before creation counts as failed. */
  public static final Duration LEADER_WAIT = Duration.ofSeconds(30);

  private TopicCreator() {}

  /**
   * {@link #createTopics(Admin, Map, Optional)} with a short-lived admin client of its own.
   *
   * @param connection the cluster
   * @param partitionsByTopic topic name to partition count
   * @param replicationFactor replicas per partition, or empty for the broker's default
   */
  public static void createTopics(
      KafkaConnection connection,
      Map<String, Integer> partitionsByTopic,
      Optional<Short> replicationFactor) {
    try (Admin admin = Admin.create(connection.clientConfig())) {
      createTopics(admin, partitionsByTopic, replicationFactor);
    }
  }

  /**
   * Creates the topics that do not exist yet and waits for a leader on every partition of all of
   * them (existing ones included).
   *
   * @param admin a client of the target cluster; not closed here
   * @param partitionsByTopic topic name to partition count
   * @param replicationFactor replicas per partition, or empty for the broker's default
   * @throws TopicException if creation fails or a leader does not appear in {@link #LEADER_WAIT}
   */
  public static void createTopics(
      Admin admin, Map<String, Integer> partitionsByTopic, Optional<Short> replicationFactor) {
    List<NewTopic> topics = new ArrayList<>();
    partitionsByTopic.forEach(
        (name, partitions) ->
            topics.add(new NewTopic(name, Optional.of(partitions), replicationFactor)));
    try {
      for (var result : admin.createTopics(topics).values().entrySet()) {
        awaitCreated(result.getKey(), result.getValue());
      }
      awaitLeaders(admin, List.copyOf(partitionsByTopic.keySet()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TopicException("interrupted creating topics " + partitionsByTopic, e);
    }
  }

  private static void awaitCreated(String topic, org.apache.kafka.common.KafkaFuture<Void> created)
      throws InterruptedException {
    try {
      created.get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new TopicException("could not create topic " + topic, e.getCause());
      }
    }
  }

  private static void awaitLeaders(Admin admin, List<String> topics) throws InterruptedException {
    long deadline = System.nanoTime() + LEADER_WAIT.toNanos();
    List<String> waiting = topics;
    while (!(waiting = topicsWithoutLeaders(admin, waiting)).isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new TopicException(
            "partitions of " + waiting + " have no leader after " + LEADER_WAIT.toSeconds() + " s",
            null);
      }
      Thread.sleep(50);
    }
  }

  private static List<String> topicsWithoutLeaders(Admin admin, List<String> topics)
      throws InterruptedException {
    Map<String, TopicDescription> descriptions;
    try {
      descriptions = admin.describeTopics(topics).allTopicNames().get();
    } catch (ExecutionException e) {
      // Typically UnknownTopicOrPartition: the broker has not applied the new metadata yet.
      return topics;
    }
    return descriptions.values().stream()
        .filter(topic -> topic.partitions().stream().anyMatch(TopicCreator::leaderless))
        .map(TopicDescription::name)
        .toList();
  }

  private static boolean leaderless(TopicPartitionInfo partition) {
    Node leader = partition.leader();
    return leader == null || leader.isEmpty();
  }
}
