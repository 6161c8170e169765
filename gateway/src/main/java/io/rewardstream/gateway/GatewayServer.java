package io.rewardstream.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rewardstream.avro.RolloutGroup;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.schemas.Topics;
import io.rewardstream.schemas.WireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP reward gateway: JSON in, items onto the input topics, results back from the result and
 * dead-letter topics ({@link ResultRouter}), JSON out. Stateless apart from the answers it keeps
 * for retries: scale it separately from the scorers, any number of instances.
 *
 * <ul>
 *   <li>{@code POST /v1/score/pairs}, {@code POST /v1/score/groups}: results in input order; an
 *       item that was dead-lettered or failed gets {@code status} DEAD_LETTERED / FAILED and an
 *       {@code error} with the reason (per item, HTTP 200), so one bad item does not cost the
 *       others their rewards.
 *   <li>{@code POST /get_reward}: OpenRLHF's remote reward model ({@link OpenRlhf}); a bad item
 *       fails the whole request (422), since that protocol has no per-item errors and a silent 0
 *       would train on it.
 *   <li>{@code 429} with {@code Retry-After} when the request would take the items awaited over
 *       {@code --max-in-flight}; {@code 504} naming the pending ids when the deadline passes (they
 *       stay awaited: asking again with the same ids returns their results without scoring twice);
 *       {@code 400} for a malformed body, naming the field.
 *   <li>{@code GET /healthz}, {@code GET /metrics} (Prometheus).
 * </ul>
 *
 * <p>Javalin (on Jetty 12): a small, maintained Java 17 HTTP library whose handlers can answer with
 * a {@link CompletableFuture}, so a request waiting for its rewards holds no thread.
 */
public final class GatewayServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);
  static final ObjectMapper JSON = new ObjectMapper();

  private final GatewayConfig config;
  private final WireFormat wire;
  private final ResultRouter router;
  private final KafkaProducer<byte[], byte[]> producer;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Counter timeouts;
  private final Counter rejections;
  private final Javalin app;

  private GatewayServer(GatewayConfig config) {
    this.config = config;
    this.wire = WireFormat.from(config.kafka());
    Map<String, Integer> ids =
        wire.prepare(
            List.of(
                Topics.ROLLOUTS.withName(config.rolloutsTopic()),
                Topics.ROLLOUT_GROUPS.withName(config.groupsTopic())));
    LOG.info("wire format: {}", wire.describe(ids));
    this.router = new ResultRouter(config, wire);
    Map<String, Object> props = config.clientSettings();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    this.producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    Gauge.builder("rewardstream.gateway.in.flight", inFlight, AtomicInteger::get)
        .description("items (pairs or groups) awaited now")
        .register(registry);
    this.timeouts =
        Counter.builder("rewardstream.gateway.timeouts")
            .description("requests answered 504 (deadline)")
            .register(registry);
    this.rejections =
        Counter.builder("rewardstream.gateway.rejections")
            .description("requests answered 429 (in-flight limit)")
            .register(registry);
    this.app =
        Javalin.create(
            cfg -> {
              cfg.jetty.host = config.bind();
              cfg.jetty.port = config.port();
              cfg.startup.showJavalinBanner = false;
              cfg.routes.post("/v1/score/pairs", ctx -> handle(ctx, "pairs", this::scorePairs));
              cfg.routes.post("/v1/score/groups", ctx -> handle(ctx, "groups", this::scoreGroups));
              cfg.routes.post("/get_reward", ctx -> handle(ctx, "get_reward", this::getReward));
              cfg.routes.get("/healthz", this::health);
              cfg.routes.get(
                  "/metrics",
                  ctx -> ctx.contentType("text/plain; version=0.0.4").result(registry.scrape()));
            });
  }

  /**
   * Connects to Kafka, positions the result consumer and starts listening.
   *
   * @throws IllegalStateException if a required topic does not exist (names it)
   */
  public static GatewayServer start(GatewayConfig config) {
    GatewayServer server = new GatewayServer(config);
    try {
      server.app.start();
    } catch (RuntimeException e) {
      server.close();
      throw new IllegalStateException(
          "cannot listen on " + config.bind() + ":" + config.port() + ": " + e.getMessage(), e);
    }
    LOG.info(
        "gateway on http://{}:{} -> {} / {} (deadline {}, max {} items in flight)",
        config.bind(),
        server.port(),
        config.rolloutsTopic(),
        config.groupsTopic(),
        config.deadline(),
        config.maxInFlight());
    return server;
  }

  /** The port it listens on (the chosen one when started with 0). */
  public int port() {
    return app.port();
  }

  /** A request's work: parse, send, and a future of the JSON answer. */
  @FunctionalInterface
  interface Endpoint {
    Reply call(JsonNode body, Duration deadline);
  }

  /** A prepared request: the ids it waits for, and how to turn their outcomes into the answer. */
  record Reply(List<String> ids, List<CompletableFuture<Outcome>> futures, Answer answer) {}

  /** Builds the HTTP answer from the outcomes (in id order). */
  @FunctionalInterface
  interface Answer {
    Response of(List<Outcome> outcomes);
  }

  /** Status and JSON body. */
  record Response(int status, JsonNode body) {}

  /** A client error: 400 with the message, naming the field. */
  static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    BadRequest(int status, String message) {
      super(message);
      this.status = status;
    }

    BadRequest(String message) {
      this(400, message);
    }
  }

  private void handle(Context ctx, String endpoint, Endpoint work) {
    Timer.Sample sample = Timer.start(registry);
    JsonNode body;
    try {
      body = JSON.readTree(ctx.body());
    } catch (Exception e) {
      reply(ctx, endpoint, sample, error(400, "the body is not JSON: " + e.getMessage()));
      return;
    }
    Duration deadline =
        body != null && body.hasNonNull("timeout_ms")
            ? Duration.ofMillis(
                Math.max(
                    1, Math.min(body.get("timeout_ms").asLong(), config.deadline().toMillis())))
            : config.deadline();
    Reply reply;
    try {
      reply = work.call(body, deadline);
    } catch (BadRequest e) {
      if (e.status == 429) {
        rejections.increment();
        ctx.header("Retry-After", "1");
      }
      reply(ctx, endpoint, sample, error(e.status, e.getMessage()));
      return;
    }
    int items = reply.ids().size();
    CompletableFuture<Response> answer =
        CompletableFuture.allOf(reply.futures().toArray(CompletableFuture[]::new))
            .orTimeout(deadline.toMillis(), TimeUnit.MILLISECONDS)
            .handle(
                (ok, failure) -> {
                  inFlight.addAndGet(-items);
                  if (failure == null) {
                    return reply
                        .answer()
                        .of(reply.futures().stream().map(CompletableFuture::join).toList());
                  }
                  Throwable cause = failure.getCause() == null ? failure : failure.getCause();
                  if (cause instanceof TimeoutException) {
                    timeouts.increment();
                    ObjectNode node = JSON.createObjectNode();
                    node.put("error", "deadline of " + deadline.toMillis() + " ms passed");
                    node.putPOJO("pending", router.pending(reply.ids()));
                    node.put(
                        "retry",
                        "ask again with the same ids: the pending ones are still awaited and are"
                            + " not scored twice");
                    return new Response(504, node);
                  }
                  return error(502, "sending to Kafka failed: " + cause.getMessage());
                });
    ctx.future(() -> answer.thenAccept(r -> reply(ctx, endpoint, sample, r)));
  }

  private void reply(Context ctx, String endpoint, Timer.Sample sample, Response response) {
    ctx.status(response.status())
        .contentType("application/json")
        .result(response.body().toString());
    sample.stop(
        Timer.builder("rewardstream.gateway.requests")
            .description("requests by endpoint and status, with their latency")
            .tag("endpoint", endpoint)
            .tag("status", Integer.toString(response.status()))
            .publishPercentileHistogram()
            .register(registry));
  }

  static Response error(int status, String message) {
    ObjectNode node = JSON.createObjectNode();
    node.put("error", message);
    return new Response(status, node);
  }

  private void health(Context ctx) {
    boolean ok = router.healthy();
    ctx.status(ok ? 200 : 503).result(ok ? "OK\n" : "result consumer failed\n");
  }

  /** Reserves room for n items or answers 429. */
  private void admit(int n) {
    while (true) {
      int now = inFlight.get();
      if (now + n > config.maxInFlight()) {
        throw new BadRequest(
            429,
            "too many items in flight: "
                + now
                + " awaited, this request adds "
                + n
                + ", the limit is "
                + config.maxInFlight()
                + " (--max-in-flight); retry after a second");
      }
      if (inFlight.compareAndSet(now, now + n)) {
        return;
      }
    }
  }

  /** Awaits each id and sends those nobody sent yet. */
  private List<CompletableFuture<Outcome>> send(
      String topic, List<String> ids, List<byte[]> values) {
    List<CompletableFuture<Outcome>> futures = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      ResultRouter.Awaited awaited = router.await(id);
      futures.add(awaited.future());
      if (awaited.fresh()) {
        try {
          producer.send(
              new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), values.get(i)),
              (meta, e) -> {
                if (e != null) {
                  router.sendFailed(id, e);
                }
              });
        } catch (RuntimeException e) {
          // e.g. metadata not available within max.block.ms: the request answers 502 through its
          // future (and releases its in-flight slots) instead of failing with them still held
          router.sendFailed(id, e);
        }
      }
    }
    return futures;
  }

  private Reply scorePairs(JsonNode body, Duration deadline) {
    JsonNode items = Requests.array(body, "pairs");
    boolean analysis = body.path("include_analysis").asBoolean(false);
    List<RolloutPair> pairs = Requests.pairs(items);
    List<String> ids = pairs.stream().map(RolloutPair::getRolloutId).toList();
    Requests.unique(ids, "rollout_id");
    admit(ids.size());
    List<byte[]> values =
        pairs.stream()
            .map(p -> wire.rolloutPair().serializer().serialize(config.rolloutsTopic(), p))
            .toList();
    return new Reply(
        ids,
        send(config.rolloutsTopic(), ids, values),
        outcomes -> new Response(200, Responses.results(outcomes, analysis)));
  }

  private Reply scoreGroups(JsonNode body, Duration deadline) {
    requireGroups();
    JsonNode items = Requests.array(body, "groups");
    List<RolloutGroup> groups = Requests.groups(items);
    List<String> ids = groups.stream().map(RolloutGroup::getGroupId).toList();
    Requests.unique(ids, "group_id");
    admit(ids.size());
    List<byte[]> values =
        groups.stream()
            .map(g -> wire.rolloutGroup().serializer().serialize(config.groupsTopic(), g))
            .toList();
    boolean analysis = body.path("include_analysis").asBoolean(false);
    return new Reply(
        ids,
        send(config.groupsTopic(), ids, values),
        outcomes -> new Response(200, Responses.results(outcomes, analysis)));
  }

  private void requireGroups() {
    if (!router.reads(config.groupRewardsTopic())) {
      throw new BadRequest(
          503,
          "group scoring is not available: topic "
              + config.groupRewardsTopic()
              + " did not exist when the gateway started (run the scorers with"
              + " groups.enabled=true, create the topic, restart the gateway)");
    }
  }

  private Reply getReward(JsonNode body, Duration deadline) {
    OpenRlhf.Plan plan = OpenRlhf.plan(body);
    if (!plan.groups().isEmpty()) {
      requireGroups();
    }
    List<String> ids = new ArrayList<>();
    List<CompletableFuture<Outcome>> futures = new ArrayList<>();
    admit(plan.pairs().size() + plan.groups().size());
    List<String> pairIds = plan.pairs().stream().map(RolloutPair::getRolloutId).toList();
    futures.addAll(
        send(
            config.rolloutsTopic(),
            pairIds,
            plan.pairs().stream()
                .map(p -> wire.rolloutPair().serializer().serialize(config.rolloutsTopic(), p))
                .toList()));
    ids.addAll(pairIds);
    List<String> groupIds = plan.groups().stream().map(RolloutGroup::getGroupId).toList();
    futures.addAll(
        send(
            config.groupsTopic(),
            groupIds,
            plan.groups().stream()
                .map(g -> wire.rolloutGroup().serializer().serialize(config.groupsTopic(), g))
                .toList()));
    ids.addAll(groupIds);
    return new Reply(ids, futures, plan::answer);
  }

  @Override
  public void close() {
    app.stop();
    router.close();
    producer.close(Duration.ofSeconds(5));
    registry.close();
  }
}
