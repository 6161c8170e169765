package io.rewardstream.it.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.avro.CandidateVerdict;
import io.rewardstream.avro.DriftAlert;
import io.rewardstream.avro.DriftStatistic;
import io.rewardstream.avro.JudgmentCandidate;
import io.rewardstream.avro.Preference;
import io.rewardstream.avro.ResponseOrder;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RewardWindowStats;
import io.rewardstream.avro.ScoreStatus;
import io.rewardstream.drift.DriftConfig;
import io.rewardstream.drift.DriftTopology;
import io.rewardstream.drift.DriftTopology.DriftTopics;
import io.rewardstream.it.KafkaClusterExtension;
import io.rewardstream.schemas.Topic;
import io.rewardstream.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drift sub-topology as its own exactly-once Kafka Streams application on a real broker:
 * rewards whose p_a_better distribution shifts at a known window (the fourth) raise alerts for that
 * window and none before it, and every closed window's statistics arrive once.
 *
 * <p>The rewards topic has three partitions, so results of one key reach the aggregation in an
 * order that is not their scored_at order; the grace period (10 min) covers the whole data set, and
 * the result that closes the windows is sent only after the application has consumed everything
 * else, so no result is late however the partitions interleave.
 */
class RewardDriftIT {

  private static final long MINUTE = 60_000;
  private static final double[] BROAD = {0.1, 0.3, 0.5, 0.7, 0.9};
  private static final double[] SHIFTED = {0.7, 0.9};
  private static final Duration DEADLINE = Duration.ofSeconds(90);

  @RegisterExtension
  static final KafkaClusterExtension kafka = KafkaClusterExtension.fromSystemProperties();

  @TempDir Path stateDir;

  @Test
  void alertsOnTheShiftedWindowAndNoneBefore() throws Exception {
    // Step 1: unique topics and the drift application, exactly-once like the scoring app.
    DriftTopics topics =
        new DriftTopics(
            kafka.createTopic("rewards", 3),
            kafka.createTopic("reward-stats", 1),
            kafka.createTopic("reward-drift-alerts", 1));
    String applicationId = "drift-it-" + UUID.randomUUID().toString().substring(0, 8);
    Properties drift = new Properties();
    drift.setProperty(DriftConfig.WINDOW_MS, "60000");
    drift.setProperty(DriftConfig.GRACE_MS, "600000");
    drift.setProperty(DriftConfig.REFERENCE_WINDOWS, "2");
    drift.setProperty(DriftConfig.PSI_MIN_COUNT, "30");
    long t0 = (System.currentTimeMillis() / MINUTE) * MINUTE - 30 * MINUTE;

    try (KafkaStreams streams =
        new KafkaStreams(
            DriftTopology.build(DriftConfig.fromProperties(drift), topics),
            streamsProperties(applicationId))) {
      streams.start();

      // Step 2: windows 0-2 broad (0 and 1 form the reference), window 3 shifted, window 4 small.
      List<RewardResult> results = new ArrayList<>();
      for (int window = 0; window < 5; window++) {
        double[] ps = window < 3 ? BROAD : SHIFTED;
        int n = window < 4 ? 40 : 10;
        for (int i = 0; i < n; i++) {
          results.add(ok(ps[i % ps.length], t0 + window * MINUTE + i * 1_000L));
        }
      }
      produce(topics.rewards(), results);
      awaitConsumed(applicationId, topics.rewards());
      // One result 20 min on: stream time passes every window's end + grace, closing them all.
      produce(topics.rewards(), List.of(ok(0.5, t0 + 20 * MINUTE)));

      // Step 3: five final window records, then the alerts written with them.
      List<RewardWindowStats> stats =
          consume(Topics.REWARD_STATS.withName(topics.stats()), got -> got.size() >= 5);
      List<DriftAlert> alerts = consume(Topics.DRIFT_ALERTS.withName(topics.alerts()), got -> true);

      assertThat(stats)
          .extracting(s -> (s.getWindowStart().toEpochMilli() - t0) / MINUTE)
          .containsExactly(0L, 1L, 2L, 3L, 4L);
      assertThat(stats)
          .extracting(RewardWindowStats::getCount)
          .containsExactly(40L, 40L, 40L, 40L, 10L);
      assertThat(stats.get(3).getPABetterHistogram())
          .containsExactly(0L, 0L, 0L, 0L, 0L, 0L, 0L, 20L, 0L, 20L);
      assertThat(alerts)
          .extracting(DriftAlert::getStatistic)
          .containsExactly(DriftStatistic.PSI, DriftStatistic.KS, DriftStatistic.MEAN_SHIFT);
      assertThat(alerts)
          .allSatisfy(
              alert -> {
                assertThat(alert.getWindowStart().toEpochMilli()).isEqualTo(t0 + 3 * MINUTE);
                assertThat(alert.getReferenceStart().toEpochMilli()).isEqualTo(t0);
                assertThat(alert.getReferenceEnd().toEpochMilli()).isEqualTo(t0 + 2 * MINUTE);
                assertThat(alert.getValue()).isGreaterThan(alert.getThreshold());
              });
    }
  }

  private Properties streamsProperties(String applicationId) {
    Properties props = new Properties();
    props.putAll(kafka.clientConfig());
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return props;
  }

  private static void produce(String topic, List<RewardResult> results) throws Exception {
    Topic<String, RewardResult> rewards = Topics.REWARDS.withName(topic);
    Map<String, Object> config = kafka.clientConfig();
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, RewardResult> producer =
        new KafkaProducer<>(
            config, rewards.keySerde().serializer(), rewards.valueSerde().serializer())) {
      for (RewardResult result : results) {
        producer.send(new ProducerRecord<>(topic, result.getRolloutId(), result)).get();
      }
    }
  }

  /** Waits until the application's committed offsets on {@code topic} reach its end offsets. */
  private static void awaitConsumed(String applicationId, String topic) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    try (Admin admin = Admin.create(kafka.clientConfig())) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < 3; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      Map<TopicPartition, ListOffsetsResultInfo> end = admin.listOffsets(latest).all().get();
      while (true) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get();
        boolean done =
            end.entrySet().stream()
                .allMatch(
                    e ->
                        committed.containsKey(e.getKey())
                            && committed.get(e.getKey()).offset() >= e.getValue().offset());
        if (done) {
          return;
        }
        assertThat(System.nanoTime()).as("consumed all rewards in time").isLessThan(deadline);
        Thread.sleep(200);
      }
    }
  }

  /** Reads {@code topic} from the start (read_committed) until {@code enough} or its end. */
  private static <V> List<V> consume(Topic<String, V> topic, Predicate<List<V>> enough) {
    Map<String, Object> config = kafka.clientConfig();
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<V> values = new ArrayList<>();
    try (KafkaConsumer<String, V> consumer =
        new KafkaConsumer<>(
            config, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
      TopicPartition partition = new TopicPartition(topic.name(), 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (!enough.test(values)
          || consumer.position(partition)
              < consumer.endOffsets(List.of(partition)).get(partition)) {
        assertThat(System.nanoTime()).as("read %s in time", topic.name()).isLessThan(deadline);
        for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
    }
    return values;
  }

  private static RewardResult ok(double p, long scoredAt) {
    boolean tie = p == 0.5;
    return RewardResult.newBuilder()
        .setRolloutId("r-" + UUID.randomUUID())
        .setStatus(ScoreStatus.OK)
        .setPreferred(tie ? Preference.TIE : p > 0.5 ? Preference.A : Preference.B)
        .setPABetter(p)
        .setRewardA(p - 0.5)
        .setRewardB(0.5 - p)
        .setChosenAnalysis("Response 1 is more accurate.")
        .setCandidates(
            List.of(
                JudgmentCandidate.newBuilder()
                    .setIndex(0)
                    .setOrder(ResponseOrder.AB)
                    .setVerdict(tie ? CandidateVerdict.ABSTAIN : CandidateVerdict.A)
                    .setConfidence(-0.4)
                    .build()))
        .setPositionConsistency(1.0)
        .setJudgeId("judge-tiny")
        .setJudgeVersion("0.1.0")
        .setModelHash("sha256:it")
        .setSeed(7)
        .setLatencyMs(120)
        .setScoredAt(Instant.ofEpochMilli(scoredAt))
        .setPolicyVersion("policy-7")
        .build();
  }
}
