package io.rewardstream.cli;

import io.rewardstream.gateway.GatewayConfig;
import io.rewardstream.gateway.GatewayServer;
import io.rewardstream.kafka.KafkaConnection;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code rewardstream gateway}: the HTTP reward gateway over the scoring topics. */
@Command(
    name = "gateway",
    mixinStandardHelpOptions = true,
    description = {
      "Serves an HTTP API over the scoring deployment's topics: POST /v1/score/pairs,"
          + " POST /v1/score/groups (JSON), POST /get_reward (OpenRLHF's remote reward model),"
          + " GET /healthz, GET /metrics. It produces the items to the input topics and answers"
          + " from the result and dead-letter topics; it never scores (run the scorers with"
          + " `run`). Stateless: run as many as you like. Blocks until SIGTERM or Ctrl-C.",
      "Example: ./rewardstream gateway --bootstrap-servers localhost:9092 --port 8080",
      "See docs/gateway.md."
    })
final class GatewayCommand implements Callable<Integer> {

  @Mixin KafkaMixin kafka;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "Port to listen on; 0 = any free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--bind",
      defaultValue = "127.0.0.1",
      description = "Address to listen on; 0.0.0.0 for all (default: ${DEFAULT-VALUE}).")
  String bind;

  @Option(
      names = "--deadline",
      defaultValue = "120s",
      paramLabel = "DURATION",
      description =
          "Longest a request waits for its results before a 504 naming the pending ids, e.g."
              + " 30s, 2m (default: ${DEFAULT-VALUE}). A request may ask for less (timeout_ms).")
  String deadline;

  @Option(
      names = "--max-in-flight",
      defaultValue = "4096",
      description =
          "Most items (pairs or groups) awaited at once; a request over it gets 429 with"
              + " Retry-After (default: ${DEFAULT-VALUE}).")
  int maxInFlight;

  @Option(names = "--rollouts-topic", defaultValue = "rollouts", description = "Pair input topic.")
  String rolloutsTopic;

  @Option(names = "--rewards-topic", defaultValue = "rewards", description = "Pair result topic.")
  String rewardsTopic;

  @Option(names = "--dlq-topic", defaultValue = "rollouts-dlq", description = "Dead letters.")
  String dlqTopic;

  @Option(
      names = "--groups-topic",
      defaultValue = "rollout-groups",
      description = "Group input topic.")
  String groupsTopic;

  @Option(
      names = "--group-rewards-topic",
      defaultValue = "group-rewards",
      description = "Group result topic (groups are served only when it exists).")
  String groupRewardsTopic;

  @Override
  public Integer call() throws InterruptedException {
    KafkaConnection connection =
        kafka.connection(
            rolloutsTopic,
            "--rollouts-topic",
            rewardsTopic,
            "--rewards-topic",
            dlqTopic,
            "--dlq-topic");
    Map<String, Object> clients = new HashMap<>(connection.settings());
    GatewayConfig config =
        new GatewayConfig(
            connection.bootstrapServers(),
            bind,
            port,
            parseDuration(deadline),
            maxInFlight,
            rolloutsTopic,
            rewardsTopic,
            dlqTopic,
            groupsTopic,
            groupRewardsTopic,
            clients);
    CountDownLatch stopped = new CountDownLatch(1);
    GatewayServer server = GatewayServer.start(config);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "rewardstream-gateway-shutdown"));
    System.err.printf("gateway listening on http://%s:%d%n", bind, server.port());
    stopped.await();
    return 0;
  }

  /** 30s, 2m, 500ms or an ISO-8601 duration (PT30S). */
  static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      if (t.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
      }
      if (t.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
      }
      return Duration.parse(text.trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "--deadline " + text + ": use a duration such as 30s, 2m, 500ms or PT30S", e);
    }
  }
}
