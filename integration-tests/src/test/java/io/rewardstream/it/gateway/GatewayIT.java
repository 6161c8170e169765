package io.rewardstream.it.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rewardstream.app.AppConfig;
import io.rewardstream.app.RewardStreamApp;
import io.rewardstream.gateway.GatewayConfig;
import io.rewardstream.gateway.GatewayServer;
import io.rewardstream.it.KafkaClusterExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HTTP gateway in front of a real scoring instance (the bundled judge, greedy, group scoring
 * on) on a real broker, called with Java's HTTP client: pairs, groups, OpenRLHF's /get_reward, a
 * dead-lettered item, a retry that is not scored twice, the deadline (504), the in-flight limit
 * (429) and two gateway instances at once.
 */
class GatewayIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final KafkaClusterExtension kafka = KafkaClusterExtension.fromSystemProperties();

  private final HttpClient http = HttpClient.newHttpClient();

  private JsonNode post(GatewayServer gw, String path, JsonNode body, int expectedStatus)
      throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .timeout(Duration.ofMinutes(3))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(expectedStatus);
    if (expectedStatus == 429) {
      assertThat(response.headers().firstValue("Retry-After")).isPresent();
    }
    return JSON.readTree(response.body());
  }

  /** Held-out pairs with the chosen response as A for even i, as B for odd i. */
  private static ObjectNode pairs(String prefix, int from, int n) throws Exception {
    List<String> lines =
        Files.readAllLines(
            Path.of(System.getProperty("rewardstream.repo.root", ".."))
                .resolve("models/judge-tiny/heldout.jsonl"));
    ObjectNode body = JSON.createObjectNode();
    ArrayNode items = body.putArray("pairs");
    for (int i = from; i < from + n; i++) {
      JsonNode row = JSON.readTree(lines.get(i));
      boolean chosenFirst = i % 2 == 0;
      items
          .addObject()
          .put("rollout_id", prefix + "-" + i)
          .put("prompt", row.get("prompt").asText())
          .put("response_a", row.get(chosenFirst ? "chosen" : "rejected").asText())
          .put("response_b", row.get(chosenFirst ? "rejected" : "chosen").asText());
    }
    return body;
  }

  @Test
  void pairsGroupsOpenRlhfErrorsRetriesDeadlinesAndLimitsThroughTheGateway() throws Exception {
    // Step 1: the scoring deployment's topics, a scorer, two gateways (B with a tiny limit).
    String in = kafka.createTopic("gw-rollouts", 3);
    String out = kafka.createTopic("gw-rewards", 3);
    String dlq = kafka.createTopic("gw-dlq", 3);
    String groupsIn = kafka.createTopic("gw-groups", 3);
    String groupsOut = kafka.createTopic("gw-group-rewards", 3);
    Properties p = new Properties();
    p.setProperty(AppConfig.APPLICATION_ID, "gw-" + System.nanoTime());
    p.setProperty(AppConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    p.setProperty(AppConfig.TOPIC_INPUT, in);
    p.setProperty(AppConfig.TOPIC_OUTPUT, out);
    p.setProperty(AppConfig.TOPIC_DLQ, dlq);
    p.setProperty(AppConfig.GROUPS_ENABLED, "true");
    p.setProperty(AppConfig.TOPIC_GROUPS_INPUT, groupsIn);
    p.setProperty(AppConfig.TOPIC_GROUPS_OUTPUT, groupsOut);
    p.setProperty(AppConfig.BATCH_SIZE, "16");
    p.setProperty(AppConfig.BATCH_MAX_WAIT_MS, "300");
    p.setProperty(AppConfig.JUDGE_MODE, "greedy");
    p.setProperty(
        AppConfig.JUDGE_DIR,
        Path.of(System.getProperty("rewardstream.repo.root", ".."))
            .resolve("models/judge-tiny")
            .toAbsolutePath()
            .toString());
    p.setProperty(
        AppConfig.STATE_DIR,
        Files.createTempDirectory(Path.of("target"), "gw").toAbsolutePath().toString());
    GatewayConfig base =
        new GatewayConfig(
            kafka.bootstrapServers(),
            "127.0.0.1",
            0,
            Duration.ofSeconds(120),
            4096,
            in,
            out,
            dlq,
            groupsIn,
            groupsOut,
            Map.of());
    GatewayConfig small =
        new GatewayConfig(
            base.bootstrapServers(),
            "127.0.0.1",
            0,
            base.deadline(),
            2,
            in,
            out,
            dlq,
            groupsIn,
            groupsOut,
            Map.of());
    try (RewardStreamApp app = RewardStreamApp.start(AppConfig.fromProperties(p));
        GatewayServer a = GatewayServer.start(base);
        GatewayServer b = GatewayServer.start(small)) {
      app.awaitRunning(Duration.ofSeconds(60));

      // Step 2: 16 pairs and one with an empty response; the verdicts are the judge's.
      ObjectNode request = pairs("p", 0, 16);
      ((ArrayNode) request.get("pairs"))
          .addObject()
          .put("rollout_id", "bad-1")
          .put("prompt", "q")
          .put("response_a", "")
          .put("response_b", "b");
      JsonNode results = post(a, "/v1/score/pairs", request, 200).get("results");
      assertThat(results).hasSize(17);
      for (int i = 0; i < 16; i++) {
        assertThat(results.get(i).get("rollout_id").asText()).isEqualTo("p-" + i);
        assertThat(results.get(i).get("status").asText()).isEqualTo("OK");
        assertThat(results.get(i).get("preferred").asText()).isEqualTo(i % 2 == 0 ? "A" : "B");
      }
      assertThat(results.get(16).get("status").asText()).isEqualTo("DEAD_LETTERED");
      assertThat(results.get(16).at("/error/reason_code").asText()).isEqualTo("EMPTY_FIELD");

      // Step 3: the same ids again: the same answers, nothing new on the input topic.
      long before = records(in);
      JsonNode again = post(a, "/v1/score/pairs", pairs("p", 0, 16), 200).get("results");
      assertThat(again.get(3)).isEqualTo(results.get(3));
      assertThat(records(in)).isEqualTo(before);

      // Step 4: groups, and OpenRLHF's shape (3 responses to each of 2 prompts).
      ObjectNode groups = JSON.createObjectNode();
      ArrayNode g = groups.putArray("groups");
      g.addObject()
          .put("group_id", "g-1")
          .put("prompt", "Carl has 7 socks. How many socks does Carl have?")
          .putArray("responses")
          .add("Carl has 7 socks.")
          .add("The answer is 8.")
          .add("Carl has 9 socks.");
      JsonNode groupResult = post(a, "/v1/score/groups", groups, 200).at("/results/0");
      assertThat(groupResult.get("status").asText()).isEqualTo("OK");
      assertThat(groupResult.get("rewards")).hasSize(3);
      assertThat(groupResult.at("/responses/0/rank").asInt()).isEqualTo(1);

      ObjectNode rm = JSON.createObjectNode();
      ArrayNode queries = rm.putArray("query");
      ArrayNode prompts = rm.putArray("prompts");
      for (String prompt :
          List.of(
              "Ian has 3 cards. How many cards does Ian have?",
              "Gus has 9 bags with 2 stamps in each. How many stamps does Gus have?")) {
        for (String answer : List.of(" first", " second", " third")) {
          queries.add(prompt + answer);
          prompts.add(prompt);
        }
      }
      JsonNode reward = post(a, "/get_reward", rm, 200);
      assertThat(reward.get("rewards")).hasSize(6);
      assertThat(reward.get("scores")).hasSize(6);
      assertThat(reward.at("/extra_logs/rewardstream_reward")).hasSize(6);
      double sum = 0;
      for (int i = 0; i < 3; i++) {
        sum += reward.get("rewards").get(i).asDouble();
      }
      assertThat(sum)
          .as("group-relative rewards of one prompt")
          .isCloseTo(0.0, org.assertj.core.api.Assertions.within(1e-6));

      // Step 5: a deadline shorter than scoring: 504 naming the pending ids.
      ObjectNode hurried = pairs("late", 100, 4);
      hurried.put("timeout_ms", 1);
      JsonNode late = post(a, "/v1/score/pairs", hurried, 504);
      assertThat(late.get("pending").toString()).contains("late-100");

      // Step 6: gateway B's limit (2 items): 3 pairs get 429; 2 pairs are served while A serves
      // others at the same time, and neither gets the other's results.
      post(b, "/v1/score/pairs", pairs("b", 200, 3), 429);
      ObjectNode forA = pairs("a", 210, 6);
      CompletableFuture<JsonNode> fromA = CompletableFuture.supplyAsync(() -> call(a, forA));
      JsonNode fromB = post(b, "/v1/score/pairs", pairs("b", 220, 2), 200).get("results");
      assertThat(fromB)
          .extracting(r -> r.get("rollout_id").asText())
          .containsExactly("b-220", "b-221");
      assertThat(fromA.join().get("results"))
          .extracting(r -> r.get("rollout_id").asText())
          .containsExactly("a-210", "a-211", "a-212", "a-213", "a-214", "a-215");

      // Step 7: a Python trainer's call (requests, from Debian) with 64 pairs: the verdicts are
      // eval's for the same pairs and orders.
      Path body = Files.createTempFile(Path.of("target"), "gw-py", ".json");
      Files.writeString(body, pairs("py", 300, 64).toString());
      JsonNode fromPython = postWithPythonRequests(a, "/v1/score/pairs", body);
      assertThat(fromPython.get("status").asInt()).isEqualTo(200);
      JsonNode pyResults = fromPython.at("/body/results");
      List<String> expected = evalVerdicts(300, 64);
      assertThat(pyResults).hasSize(64);
      for (int i = 0; i < 64; i++) {
        assertThat(pyResults.get(i).get("rollout_id").asText()).isEqualTo("py-" + (300 + i));
        assertThat(pyResults.get(i).get("preferred").asText())
            .as("py-%d", 300 + i)
            .isEqualTo(expected.get(i));
      }

      // Step 8: health and metrics.
      HttpResponse<String> metrics =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.port() + "/metrics"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.body())
          .contains("rewardstream_gateway_requests_seconds_count")
          .contains("rewardstream_gateway_timeouts_total 1.0");
    }
  }

  /** POSTs the file with Python's requests in a child process: {status, body}. */
  private static JsonNode postWithPythonRequests(GatewayServer gw, String path, Path body)
      throws Exception {
    Path script =
        Path.of(System.getProperty("rewardstream.repo.root", ".."))
            .resolve("integration-tests/src/test/python/post_json.py");
    Process process =
        new ProcessBuilder(
                System.getProperty("rewardstream.python", "/usr/bin/python3"),
                script.toString(),
                "http://127.0.0.1:" + gw.port() + path,
                body.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as("python requests: " + out).isZero();
    return JSON.readTree(out);
  }

  /**
   * What {@code rewardstream eval --mode greedy} says of held-out rows [from, from + n) in the
   * orders {@link #pairs} sends them: as given (chosen first) for even rows, swapped for odd.
   */
  private static List<String> evalVerdicts(int from, int n) throws Exception {
    Path data = Files.createTempFile(Path.of("target"), "gw-eval", ".jsonl");
    Path out = Files.createTempFile(Path.of("target"), "gw-eval-out", ".jsonl");
    List<String> lines =
        Files.readAllLines(
            Path.of(System.getProperty("rewardstream.repo.root", ".."))
                .resolve("models/judge-tiny/heldout.jsonl"));
    Files.write(data, lines.subList(from, from + n));
    int exit =
        io.rewardstream.cli.RewardStreamCli.commandLine()
            .execute(
                "eval",
                "--data",
                data.toString(),
                "--mode",
                "greedy",
                "--judge-dir",
                Path.of(System.getProperty("rewardstream.repo.root", ".."))
                    .resolve("models/judge-tiny")
                    .toString(),
                "--out",
                out.toString());
    assertThat(exit).isZero();
    Map<String, JsonNode> byId = new java.util.HashMap<>();
    for (String row : Files.readAllLines(out)) {
      JsonNode node = JSON.readTree(row);
      byId.put(node.get("id").asText(), node);
    }
    List<String> verdicts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      JsonNode row = byId.get(JSON.readTree(lines.get(from + i)).get("id").asText());
      String order = (from + i) % 2 == 0 ? "/as_given/preferred" : "/swapped/preferred";
      verdicts.add(row.at(order).asText());
    }
    return verdicts;
  }

  private JsonNode call(GatewayServer gw, JsonNode body) {
    try {
      return post(gw, "/v1/score/pairs", body, 200);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Records on the topic (sum of end offsets). */
  private long records(String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      List<TopicPartition> parts = new ArrayList<>();
      admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get()
          .get(topic)
          .partitions()
          .forEach(x -> parts.add(new TopicPartition(topic, x.partition())));
      Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest =
          new java.util.HashMap<>();
      parts.forEach(tp -> latest.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()));
      return admin.listOffsets(latest).all().get().values().stream()
          .mapToLong(x -> x.offset())
          .sum();
    }
  }
}
