package io.rewardstream.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams.State;

/**
 * The instance's HTTP endpoints, on {@code metrics.port}, for Kubernetes probes and Prometheus:
 *
 * <ul>
 *   <li>{@code GET /healthz}: 200 while Kafka Streams is RUNNING or REBALANCING (a rebalance is
 *       normal work, not a reason to restart the pod) and nothing is stuck, 503 otherwise
 *       (starting, shutting down, failed, or a judge call running past what its transaction allows:
 *       a hung judge); the body names the state or the problem;
 *   <li>{@code GET /metrics}: the Prometheus text format: our judge and state meters, Kafka
 *       Streams' own metrics and the JVM's.
 * </ul>
 *
 * <p>It listens on {@code metrics.bind} (127.0.0.1 unless set; a pod sets 0.0.0.0, since probes and
 * scrapes come from outside it) and only when {@code metrics.port} is set. {@value #THREADS} daemon
 * threads serve the endpoints, so a slow scrape does not hold up a probe.
 */
public final class MetricsServer implements AutoCloseable {

  private static final Set<State> HEALTHY = Set.of(State.RUNNING, State.REBALANCING);

  static final int THREADS = 4;

  private final HttpServer server;

  private MetricsServer(HttpServer server) {
    this.server = server;
  }

  /**
   * Starts serving.
   *
   * @param bind the address to listen on
   * @param port the port, 0 for any free one
   * @param problem what is stuck, or null when nothing is (checked while the state is healthy)
   * @throws UncheckedIOException if the port cannot be bound (names it)
   */
  public static MetricsServer start(
      String bind,
      int port,
      PrometheusMeterRegistry registry,
      Supplier<State> state,
      Supplier<String> problem) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(bind, port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen on metrics.bind=" + bind + " metrics.port=" + port + ": " + e, e);
    }
    server.createContext("/healthz", exchange -> health(exchange, state.get(), problem));
    server.createContext(
        "/metrics",
        exchange -> respond(exchange, 200, "text/plain; version=0.0.4", registry.scrape()));
    server.setExecutor(
        Executors.newFixedThreadPool(
            THREADS,
            r -> {
              Thread thread = new Thread(r, "rewardstream-metrics");
              thread.setDaemon(true);
              return thread;
            }));
    server.start();
    return new MetricsServer(server);
  }

  /** The port it listens on (the chosen one when started with 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void health(HttpExchange exchange, State state, Supplier<String> problem)
      throws IOException {
    if (!HEALTHY.contains(state)) {
      respond(exchange, 503, "text/plain", state + "\n");
      return;
    }
    String stuck = problem.get();
    if (stuck != null) {
      respond(exchange, 503, "text/plain", "STUCK " + state + ": " + stuck + "\n");
      return;
    }
    respond(exchange, 200, "text/plain", state + "\n");
  }

  private static void respond(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
