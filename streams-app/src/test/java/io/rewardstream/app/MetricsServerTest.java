package io.rewardstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
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

    try (MetricsServer server = MetricsServer.start(0, registry, state::get)) {
      HttpResponse<String> starting = get(server, "/healthz");
      state.set(State.REBALANCING);
      HttpResponse<String> rebalancing = get(server, "/healthz");
      state.set(State.RUNNING);
      HttpResponse<String> running = get(server, "/healthz");
      state.set(State.ERROR);
      HttpResponse<String> failed = get(server, "/healthz");
      HttpResponse<String> metrics = get(server, "/metrics");

      assertThat(starting.statusCode()).isEqualTo(503);
      assertThat(starting.body()).isEqualTo("CREATED\n");
      assertThat(rebalancing.statusCode()).isEqualTo(200);
      assertThat(running.statusCode()).isEqualTo(200);
      assertThat(running.body()).isEqualTo("RUNNING\n");
      assertThat(failed.statusCode()).isEqualTo(503);
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("Content-Type"))
          .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
      assertThat(metrics.body()).contains("rewardstream_judge_pairs_total 3.0");
    }
  }
}
