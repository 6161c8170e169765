package io.rewardstream.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.app.AppConfig;
import io.rewardstream.app.RewardStreamApp;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.avro.ScoreStatus;
import io.rewardstream.it.KafkaClusterExtension;
import io.rewardstream.it.pipeline.Pipelines.Topics;
import io.rewardstream.schemas.AvroSerdes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scale-out: two instances (two KafkaStreams clients in this JVM, each with its own judge and state
 * directory, same application.id) share a 4-partition topic; one is closed while pairs are still
 * arriving and being scored. The other takes over its partitions, restores their buffered pairs
 * from the changelog, and every rollout still has exactly one committed result. Greedy mode (the
 * test is about partition hand-over).
 */
class TwoInstancesPipelineIT {

  private static final Logger log = LoggerFactory.getLogger(TwoInstancesPipelineIT.class);

  private static final int FIRST = 32;
  private static final int SECOND = 24;

  @RegisterExtension
  static final KafkaClusterExtension kafka = KafkaClusterExtension.fromSystemProperties();

  @Test
  void oneInstanceLeavesMidRunAndNothingIsLostOrDoubled() {
    // Step 1: two instances of one application on a 4-partition input topic.
    Topics topics = Topics.create(kafka, "two", 4);
    String appId = "two-" + System.nanoTime();
    AppConfig first = Pipelines.config(kafka, appId, topics, 4, Pipelines.tempDir("two-a"));
    AppConfig second = Pipelines.config(kafka, appId, topics, 4, Pipelines.tempDir("two-b"));
    List<RolloutPair> pairs = Pipelines.heldoutPairs("two", FIRST + SECOND);
    List<ConsumerRecord<String, RewardResult>> results;
    try (RewardStreamApp a = RewardStreamApp.start(first);
        RewardStreamApp b = RewardStreamApp.start(second)) {
      a.awaitRunning(Duration.ofSeconds(60));
      b.awaitRunning(Duration.ofSeconds(60));
      Pipelines.await(
          "both instances to own partitions",
          Duration.ofSeconds(60),
          () -> ownsPartitions(a) && ownsPartitions(b));

      // Step 2: half the pairs; close A as soon as some are scored, while the rest are in flight.
      Pipelines.produce(kafka, topics.input(), Pipelines.raw(pairs.subList(0, FIRST)));
      Pipelines.readCommitted(
          kafka,
          topics.output(),
          AvroSerdes.rewardResult().deserializer(),
          read -> read.size() >= 8,
          Duration.ofMinutes(2),
          Duration.ZERO);
      a.close();
      log.info("instance A closed; B takes over");
      Pipelines.produce(kafka, topics.input(), Pipelines.raw(pairs.subList(FIRST, pairs.size())));

      // Step 3: every rollout scored exactly once, by whichever instance owned it.
      results =
          Pipelines.readCommitted(
              kafka,
              topics.output(),
              AvroSerdes.rewardResult().deserializer(),
              read -> read.size() >= pairs.size(),
              Duration.ofMinutes(6),
              Duration.ofSeconds(3));
    }
    Map<String, RewardResult> byId = Pipelines.byUniqueKey(results);
    assertThat(byId.keySet())
        .isEqualTo(pairs.stream().map(RolloutPair::getRolloutId).collect(Collectors.toSet()));
    assertThat(byId.values()).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ScoreStatus.OK));
    Set<Integer> partitions =
        results.stream().map(r -> r.value().getSourcePartition()).collect(Collectors.toSet());
    assertThat(partitions).containsExactlyInAnyOrder(0, 1, 2, 3);
  }

  /**
   * Two instances in child JVMs on one host with the default state directories (each claims its
   * own), one killed by SIGKILL mid-run: its open transaction is aborted, the survivor takes its
   * partitions after the session timeout (6 s here), restores their buffers and scores them; every
   * rollout has exactly one committed result.
   */
  @Test
  void oneOfTwoInstancesOnOneHostKilledBySigkillAndNothingIsLostOrDoubled() {
    // Step 1: one config file for both processes, without state.dir.
    Topics topics = Topics.create(kafka, "twokill", 4);
    Path dir = Pipelines.tempDir("twokill");
    AppConfig config =
        Pipelines.config(kafka, "twokill-" + System.nanoTime(), topics, 4, dir.resolve("unused"))
            .withStateDir(null);
    Path file = Pipelines.writeConfig(dir, config);
    List<RolloutPair> pairs = Pipelines.heldoutPairs("twokill", FIRST + SECOND);
    List<ConsumerRecord<String, RewardResult>> results;
    try (AppProcess a = AppProcess.start(file, dir.resolve("a.log"));
        AppProcess b = AppProcess.start(file, dir.resolve("b.log"))) {
      a.awaitLog("-> RUNNING", Duration.ofSeconds(90));
      b.awaitLog("-> RUNNING", Duration.ofSeconds(90));
      assertThat(a.logText()).contains("state.dir=").contains("instance-");
      assertThat(stateDirOf(a)).isNotEqualTo(stateDirOf(b));

      // Step 2: the first pairs; SIGKILL A once some are scored, while the rest are in flight.
      Pipelines.produce(kafka, topics.input(), Pipelines.raw(pairs.subList(0, FIRST)));
      Pipelines.readCommitted(
          kafka,
          topics.output(),
          AvroSerdes.rewardResult().deserializer(),
          read -> read.size() >= 8,
          Duration.ofMinutes(2),
          Duration.ZERO);
      a.kill();
      log.info("instance A killed; B takes over");
      Pipelines.produce(kafka, topics.input(), Pipelines.raw(pairs.subList(FIRST, pairs.size())));

      // Step 3: every rollout scored exactly once.
      results =
          Pipelines.readCommitted(
              kafka,
              topics.output(),
              AvroSerdes.rewardResult().deserializer(),
              read -> read.size() >= pairs.size(),
              Duration.ofMinutes(6),
              Duration.ofSeconds(3));
      assertThat(b.stop(Duration.ofSeconds(60))).isIn(0, 143);
    }
    Map<String, RewardResult> byId = Pipelines.byUniqueKey(results);
    assertThat(byId.keySet())
        .isEqualTo(pairs.stream().map(RolloutPair::getRolloutId).collect(Collectors.toSet()));
    assertThat(byId.values()).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ScoreStatus.OK));
  }

  private static String stateDirOf(AppProcess process) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("state.dir=(\\S+)").matcher(process.logText());
    assertThat(m.find()).as("the state.dir line in the start-up log").isTrue();
    return m.group(1);
  }

  private static boolean ownsPartitions(RewardStreamApp app) {
    return app.activeTaskCount() > 0;
  }
}
