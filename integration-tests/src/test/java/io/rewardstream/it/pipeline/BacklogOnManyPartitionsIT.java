package io.rewardstream.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.app.AppConfig;
import io.rewardstream.app.RewardStreamApp;
import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.avro.ScoreStatus;
import io.rewardstream.it.KafkaClusterExtension;
import io.rewardstream.it.pipeline.Pipelines.Topics;
import io.rewardstream.judge.Judge;
import io.rewardstream.judge.PairInput;
import io.rewardstream.schemas.AvroSerdes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backlog on many partitions must not turn into a fencing loop (issue 17).
 *
 * <p>12 partitions hold a backlog when the instance starts, and the judge is slow enough that the
 * 12 partitions' batches together take longer than the transaction timeout (the 10 s floor): 12
 * batches of 4 pairs at about 400 ms a pair is about 19 s. Before the commit budget every full
 * buffer scored its batch in the same loop iteration, hence in one transaction; the broker aborted
 * it, the producer was fenced and the batches were scored again, over and over. With one batch per
 * transaction, the instance drains the backlog with zero fencing errors and no rebalance, and every
 * rollout is scored exactly once.
 */
class BacklogOnManyPartitionsIT {

  private static final Logger log = LoggerFactory.getLogger(BacklogOnManyPartitionsIT.class);

  private static final int PARTITIONS = 12;
  private static final int PAIRS = 96;
  private static final long ADDED_MS_PER_PAIR = 400;

  @RegisterExtension
  static final KafkaClusterExtension kafka = KafkaClusterExtension.fromSystemProperties();

  @Test
  void twelvePartitionsOfBacklogDrainWithoutFencingEachRolloutOnce() throws Exception {
    // Step 1: 12-partition topics with the backlog already in them, before the instance starts.
    Topics topics = Topics.create(kafka, "backlog", PARTITIONS);
    List<RolloutPair> pairs = Pipelines.heldoutPairs("backlog", PAIRS);
    Pipelines.produce(kafka, topics.input(), Pipelines.raw(pairs));
    AppConfig config =
        Pipelines.config(
            kafka,
            "backlog-" + System.nanoTime(),
            topics,
            4,
            Pipelines.tempDir("backlog"),
            AppConfig.JUDGE_COST_SAFETY_FACTOR,
            "1.0",
            AppConfig.METRICS_PORT,
            "0");

    // Step 2: one instance with the real judge, slowed down, drains it.
    long start = System.nanoTime();
    List<ConsumerRecord<String, RewardResult>> results;
    String metrics;
    Judge slow = new SlowJudgeForBacklogTest(RewardStreamApp.openJudge(config), ADDED_MS_PER_PAIR);
    try (RewardStreamApp app = RewardStreamApp.start(config, slow)) {
      assertThat(
              Long.parseLong(
                  app.config().streamsProperties().getProperty("transaction.timeout.ms")))
          .as("12 batches must take longer than the transaction timeout for this test to mean it")
          .isLessThan(PARTITIONS * 4 * ADDED_MS_PER_PAIR);
      app.awaitRunning(Duration.ofSeconds(60));
      results =
          Pipelines.readCommitted(
              kafka,
              topics.output(),
              AvroSerdes.rewardResult().deserializer(),
              read -> read.size() >= PAIRS,
              Duration.ofMinutes(4),
              Duration.ofSeconds(2));
      metrics = scrape(app.metricsPort());
    }
    log.info(
        "{} pairs on {} partitions in {} ms",
        PAIRS,
        PARTITIONS,
        (System.nanoTime() - start) / 1_000_000);

    // Step 3: each rollout exactly once, OK; nothing dead-lettered; no fencing, no rebalance.
    Map<String, RewardResult> byId = Pipelines.byUniqueKey(results);
    assertThat(byId.keySet())
        .isEqualTo(pairs.stream().map(RolloutPair::getRolloutId).collect(Collectors.toSet()));
    assertThat(byId.values()).allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ScoreStatus.OK));
    List<ConsumerRecord<String, DeadLetter>> dead =
        Pipelines.readAllCommitted(kafka, topics.dlq(), AvroSerdes.deadLetter().deserializer());
    assertThat(dead).isEmpty();
    assertThat(counter(metrics, "rewardstream_producer_fenced_total")).isZero();
    assertThat(counter(metrics, "rewardstream_transactions_aborted_total")).isZero();
    assertThat(counter(metrics, "rewardstream_streams_rebalances_total")).isZero();
    assertThat(counter(metrics, "rewardstream_transactions_committed_total"))
        .as("at least one commit per batch")
        .isGreaterThanOrEqualTo(PAIRS / 4.0);
    assertThat(counter(metrics, "rewardstream_batches_deferred_total"))
        .as("full buffers waited for the next transaction")
        .isPositive();
  }

  private static String scrape(int port) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** The value of an unlabelled Prometheus counter; fails if it is not there. */
  private static double counter(String metrics, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*\\})? (\\S+)$").matcher(metrics);
    assertThat(m.find()).as("metric %s in the scrape", name).isTrue();
    return Double.parseDouble(m.group(1));
  }

  /**
   * A FAKE for this test only: the real judge plus a fixed delay per pair, standing in for a slow
   * model (e.g. a large judge on a GPU). The verdicts are the real judge's.
   */
  private static final class SlowJudgeForBacklogTest extends JudgeWrapperForTests {
    private final long msPerPair;

    SlowJudgeForBacklogTest(Judge real, long msPerPair) {
      super(real);
      this.msPerPair = msPerPair;
    }

    @Override
    void beforeCall(List<PairInput> batch) {
      try {
        Thread.sleep(msPerPair * batch.size());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while slowing down", e);
      }
    }
  }
}
