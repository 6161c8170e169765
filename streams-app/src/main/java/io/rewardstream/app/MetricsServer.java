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
 *       normal work, not a reason to restart the pod), 503 otherwise (starting, shutting down,
 *       failed); the body names the state;
 *   <li>{@code GET /metrics}: the Prometheus text format: our judge and state meters, Kafka
 *       Streams' own metrics and the JVM's.
 * </ul>
 *
 * <p>It listens on all interfaces (probes and scrapes come from outside the pod) and only when
 * {@code metrics.port} is set; one daemon thread serves both endpoints.
 */
final class MetricsServer implements AutoCloseable {

  private static final Set<State> HEALTHY = Set.of(State.RUNNING, State.REBALANCING);

  private final HttpServer server;

  private MetricsServer(HttpServer server) {
    this.server = server;
  }

  /**
   * Starts serving.
   *
   * @param port the port, 0 for any free one
   * @throws UncheckedIOException if the port cannot be bound (names it)
   */
  static MetricsServer start(int port, PrometheusMeterRegistry registry, Supplier<State> state) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on metrics.port=" + port + ": " + e, e);
    }
    server.createContext("/healthz", exchange -> health(exchange, state.get()));
    server.createContext(
        "/metrics",
        exchange -> respond(exchange, 200, "text/plain; version=0.0.4", registry.scrape()));
    server.setExecutor(
        Executors.newSingleThreadExecutor(
            r -> {
              Thread thread = new Thread(r, "rewardstream-metrics");
              thread.setDaemon(true);
              return thread;
            }));
    server.start();
    return new MetricsServer(server);
  }

  /** The port it listens on (the chosen one when started with 0). */
  int port() {
    return server.getAddress().getPort();
  }

  private static void health(HttpExchange exchange, State state) throws IOException {
    respond(exchange, HEALTHY.contains(state) ? 200 : 503, "text/plain", state + "\n");
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
