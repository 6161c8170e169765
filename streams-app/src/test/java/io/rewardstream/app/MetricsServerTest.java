package io.rewardstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;

class MetricsServerTest {

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(MetricsServer server, String path) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + server.port() + path);
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthFollowsTheStreamsStateAndMetricsAreInPrometheusFormat() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Counter.builder("rewardstream.judge.pairs").register(registry).increment(3);
    AtomicReference<State> state = new AtomicReference<>(State.CREATED);

    AtomicReference<String> stuck = new AtomicReference<>();

    try (MetricsServer server =
        MetricsServer.start("127.0.0.1", 0, registry, state::get, stuck::get)) {
      HttpResponse<String> starting = get(server, "/healthz");
      state.set(State.REBALANCING);
      HttpResponse<String> rebalancing = get(server, "/healthz");
      state.set(State.RUNNING);
      HttpResponse<String> running = get(server, "/healthz");
      stuck.set("a judge call has run for 400 s");
      HttpResponse<String> hung = get(server, "/healthz");
      stuck.set(null);
      state.set(State.ERROR);
      HttpResponse<String> failed = get(server, "/healthz");
      HttpResponse<String> metrics = get(server, "/metrics");

      assertThat(starting.statusCode()).isEqualTo(503);
      assertThat(starting.body()).isEqualTo("CREATED\n");
      assertThat(rebalancing.statusCode()).isEqualTo(200);
      assertThat(running.statusCode()).isEqualTo(200);
      assertThat(running.body()).isEqualTo("RUNNING\n");
      assertThat(hung.statusCode()).isEqualTo(503);
      assertThat(hung.body()).isEqualTo("STUCK RUNNING: a judge call has run for 400 s\n");
      assertThat(failed.statusCode()).isEqualTo(503);
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
      assertThat(metrics.body()).contains("rewardstream_judge_pairs_total 3.0");
    }
  }

  @Test
  void aSlowProbeDoesNotHoldUpAScrape() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Supplier<String> slowProblemCheck =
        () -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return null;
        };
    try (MetricsServer server =
        MetricsServer.start("127.0.0.1", 0, registry, () -> State.RUNNING, slowProblemCheck)) {
      // a probe that hangs in the server (one server thread is now busy)
      var probe =
          http.sendAsync(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/healthz"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      // a scrape meanwhile is answered by another thread (with one thread it would time out)
      HttpResponse<String> scrape =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(probe.isDone()).isFalse();
      release.countDown();
      assertThat(probe.get().statusCode()).isEqualTo(200);
    }
  }
}
