package io.rewardstream.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rewardstream.app.AppConfig;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.gateway.GatewayConfig;
import io.rewardstream.gateway.GatewayServer;
import io.rewardstream.it.KafkaClusterExtension;
import io.rewardstream.it.pipeline.Pipelines.Topics;
import io.rewardstream.schemas.AvroSerdes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP gateway while its scorer dies: three requests wait on the gateway, the scorer (a child
 * JVM) is killed with SIGKILL after some of their pairs are scored, and a new scorer is started.
 * Every request is answered 200 with all its pairs scored, and every pair has exactly one committed
 * reward: the pairs the dead scorer had in flight are scored by its successor, and the gateway,
 * which reads read_committed, never answers from the aborted transaction.
 */
class GatewayScorerCrashIT {

  private static final Logger log = LoggerFactory.getLogger(GatewayScorerCrashIT.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int REQUESTS = 3;
  private static final int PAIRS_EACH = 12;

  @RegisterExtension
  static final KafkaClusterExtension kafka = KafkaClusterExtension.fromSystemProperties();

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void everyRequestInFlightWhenTheScorerIsKilledIsAnsweredOnceItsSuccessorRuns() throws Exception {
    // Step 1: topics, a scorer config (reflect, 4 samples: slow enough to kill mid-run), a gateway.
    Topics topics = Topics.create(kafka, "gwcrash", 2);
    Path dir = Pipelines.tempDir("gwcrash");
    AppConfig config =
        Pipelines.config(
            kafka,
            "gwcrash-" + System.nanoTime(),
            topics,
            4,
            dir.resolve("state"),
            AppConfig.JUDGE_MODE,
            "reflect",
            AppConfig.JUDGE_SAMPLES,
            "4");
    Path file = Pipelines.writeConfig(dir, config);
    List<RolloutPair> pairs = Pipelines.heldoutPairs("gwcrash", REQUESTS * PAIRS_EACH);
    GatewayConfig gatewayConfig =
        new GatewayConfig(
            kafka.bootstrapServers(),
            "127.0.0.1",
            0,
            Duration.ofMinutes(5),
            4096,
            topics.input(),
            topics.output(),
            topics.dlq(),
            "gwcrash-groups",
            "gwcrash-group-rewards",
            Map.of());

    try (GatewayServer gateway = GatewayServer.start(gatewayConfig)) {
      List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
      // Step 2: the scorer runs; three requests go out at once; SIGKILL once some pairs are scored.
      try (AppProcess first = AppProcess.start(file, dir.resolve("run-1.log"))) {
        first.awaitLog("-> RUNNING", Duration.ofSeconds(90));
        for (int r = 0; r < REQUESTS; r++) {
          replies.add(post(gateway, pairs.subList(r * PAIRS_EACH, (r + 1) * PAIRS_EACH)));
        }
        Pipelines.readCommitted(
            kafka,
            topics.output(),
            AvroSerdes.rewardResult().deserializer(),
            read -> read.size() >= 4,
            Duration.ofMinutes(3),
            Duration.ZERO);
        first.kill();
      }
      int before =
          Pipelines.readAllCommitted(
                  kafka, topics.output(), AvroSerdes.rewardResult().deserializer())
              .size();
      assertThat(before).as("killed mid-run").isBetween(4, REQUESTS * PAIRS_EACH - 1);
      assertThat(replies)
          .as("no request is answered while pairs are missing")
          .noneMatch(CompletableFuture::isDone);

      // Step 3: a successor scores the rest; every request is answered, each pair once.
      try (AppProcess second = AppProcess.start(file, dir.resolve("run-2.log"))) {
        second.awaitLog("-> RUNNING", Duration.ofSeconds(90));
        Set<String> answered = new HashSet<>();
        for (int r = 0; r < REQUESTS; r++) {
          HttpResponse<String> reply = replies.get(r).get(5, java.util.concurrent.TimeUnit.MINUTES);
          assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
          JsonNode results = JSON.readTree(reply.body()).get("results");
          assertThat(results).hasSize(PAIRS_EACH);
          for (int i = 0; i < PAIRS_EACH; i++) {
            JsonNode result = results.get(i);
            assertThat(result.get("rollout_id").asText())
                .isEqualTo(pairs.get(r * PAIRS_EACH + i).getRolloutId());
            assertThat(result.get("status").asText()).isEqualTo("OK");
            assertThat(answered.add(result.get("rollout_id").asText())).isTrue();
          }
        }
        List<ConsumerRecord<String, RewardResult>> committed =
            Pipelines.readCommitted(
                kafka,
                topics.output(),
                AvroSerdes.rewardResult().deserializer(),
                read -> read.size() >= REQUESTS * PAIRS_EACH,
                Duration.ofMinutes(1),
                Duration.ofSeconds(2));
        // byUniqueKey fails on a second reward for any id
        assertThat(Pipelines.byUniqueKey(committed).keySet()).isEqualTo(answered);
        assertThat(second.stop(Duration.ofSeconds(60))).isIn(0, 143);
      }
      log.info("{} of {} pairs were committed before the kill", before, REQUESTS * PAIRS_EACH);
    }
  }

  private CompletableFuture<HttpResponse<String>> post(
      GatewayServer gateway, List<RolloutPair> pairs) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode items = body.putArray("pairs");
    for (RolloutPair pair : pairs) {
      items
          .addObject()
          .put("rollout_id", pair.getRolloutId())
          .put("prompt", pair.getPrompt())
          .put("response_a", pair.getResponseA())
          .put("response_b", pair.getResponseB());
    }
    return http.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/v1/score/pairs"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .timeout(Duration.ofMinutes(6))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
