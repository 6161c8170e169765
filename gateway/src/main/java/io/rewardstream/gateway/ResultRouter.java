package io.rewardstream.gateway;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.GroupRewardResult;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.schemas.WireFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's one consumer: reads the result and dead-letter topics under read_committed from
 * their ends (taken at start, before any request is served, so no result of a request can be
 * earlier) and completes the future waiting for each id. Results are routed by id, not by instance:
 * every gateway instance reads every partition and takes only the ids it waits for.
 *
 * <p>A retried id is not sent twice: while it is awaited, a second request joins the same future;
 * once answered, the answer is kept (the last {@value #REMEMBERED} ids) and given again.
 */
final class ResultRouter implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ResultRouter.class);

  static final int REMEMBERED = 100_000;

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final WireFormat wire;
  private final Map<String, String> kindOfTopic = new HashMap<>();
  private final Map<String, CompletableFuture<Outcome>> waiting = new ConcurrentHashMap<>();
  private final Map<String, Outcome> answered =
      new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Outcome> eldest) {
          return size() > REMEMBERED;
        }
      };
  private final java.util.Set<String> readTopics;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile Throwable failure;

  /** Whether an await registered a new id (the caller must send it) or joined/found one. */
  record Awaited(CompletableFuture<Outcome> future, boolean fresh) {}

  ResultRouter(GatewayConfig config, WireFormat wire) {
    this.wire = wire;
    Map<String, Object> props = config.clientSettings();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    this.consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    kindOfTopic.put(config.rewardsTopic(), "pair");
    kindOfTopic.put(config.dlqTopic(), "dead");
    kindOfTopic.put(config.groupRewardsTopic(), "group");
    List<TopicPartition> partitions = new ArrayList<>();
    Map<String, List<PartitionInfo>> topics = consumer.listTopics(Duration.ofSeconds(30));
    for (String topic : kindOfTopic.keySet()) {
      List<PartitionInfo> infos = topics.get(topic);
      if (infos == null) {
        if (topic.equals(config.groupRewardsTopic())) {
          LOG.info("topic {} does not exist: /v1/score/groups will answer 503", topic);
          continue;
        }
        consumer.close();
        throw new IllegalStateException(
            "topic "
                + topic
                + " does not exist at "
                + config.bootstrapServers()
                + "; create the scoring deployment's topics first, or name yours with the"
                + " --*-topic options");
      }
      infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
    }
    this.readTopics =
        partitions.stream().map(TopicPartition::topic).collect(java.util.stream.Collectors.toSet());
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // resolve the end offsets now, before serving
    this.thread = new Thread(this::run, "rewardstream-gateway-results");
    thread.setDaemon(true);
    thread.start();
  }

  /** Whether this topic is read (the group result topic only when it existed at start). */
  boolean reads(String topic) {
    return readTopics.contains(topic);
  }

  /** The consumer thread is alive and has not failed. */
  boolean healthy() {
    return thread.isAlive() && failure == null;
  }

  /** The future of an id's outcome; {@code fresh} when nobody sent it yet. */
  synchronized Awaited await(String id) {
    Outcome known = answered.get(id);
    if (known != null) {
      return new Awaited(CompletableFuture.completedFuture(known), false);
    }
    CompletableFuture<Outcome> existing = waiting.get(id);
    if (existing != null) {
      return new Awaited(existing, false);
    }
    CompletableFuture<Outcome> future = new CompletableFuture<>();
    waiting.put(id, future);
    return new Awaited(future, true);
  }

  /** The send of this id failed: nobody waits for it any more, and a retry sends it again. */
  synchronized void sendFailed(String id, Throwable error) {
    CompletableFuture<Outcome> future = waiting.remove(id);
    if (future != null) {
      future.completeExceptionally(error);
    }
  }

  private void run() {
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          route(record);
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      failure = e;
      LOG.error("the result consumer failed; /healthz now answers 503", e);
    } finally {
      consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  private void route(ConsumerRecord<byte[], byte[]> record) {
    try {
      switch (kindOfTopic.getOrDefault(record.topic(), "")) {
        case "pair" -> {
          RewardResult r =
              wire.rewardResult().deserializer().deserialize(record.topic(), record.value());
          complete(r.getRolloutId(), new Outcome.Pair(r));
        }
        case "group" -> {
          GroupRewardResult r =
              wire.groupRewardResult().deserializer().deserialize(record.topic(), record.value());
          complete(r.getGroupId(), new Outcome.Group(r));
        }
        case "dead" -> {
          DeadLetter d =
              wire.deadLetter().deserializer().deserialize(record.topic(), record.value());
          if (d.getReasonCode() == DeadLetterReason.DUPLICATE
              && d.getReason().contains("already buffered")) {
            return; // another copy is being scored; its result will come
          }
          String id = d.getRolloutId() != null ? d.getRolloutId() : d.getGroupId();
          if (id == null && record.key() != null) {
            id = new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
          }
          if (id != null) {
            complete(id, new Outcome.Dead(d));
          }
        }
        default -> {}
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "skipping undecodable {}-{}@{}: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          e.toString());
    }
  }

  private synchronized void complete(String id, Outcome outcome) {
    CompletableFuture<Outcome> future = waiting.remove(id);
    if (future != null) {
      answered.put(id, outcome);
      future.complete(outcome);
    }
  }

  /** Ids still awaited among these. */
  List<String> pending(List<String> ids) {
    return ids.stream().filter(waiting::containsKey).toList();
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
