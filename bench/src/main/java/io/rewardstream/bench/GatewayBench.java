package io.rewardstream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rewardstream.app.AppConfig;
import io.rewardstream.app.RewardStreamApp;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.broker.EmbeddedKafkaBroker;
import io.rewardstream.gateway.GatewayConfig;
import io.rewardstream.gateway.GatewayServer;
import io.rewardstream.judge.Judge;
import io.rewardstream.judge.PairInput;
import io.rewardstream.kafka.KafkaConnection;
import io.rewardstream.kafka.TopicCreator;
import io.rewardstream.schemas.AvroSerdes;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the HTTP gateway costs a trainer: the same requests of K pairs sent (a) straight to Kafka
 * (produce K rollouts, wait until a read_committed consumer has all K results: what a Kafka client
 * such as the Python {@code RewardClient} does) and (b) as one {@code POST /v1/score/pairs} to a
 * gateway in front of the same running scorer, alternating, one request at a time.
 *
 * <p>Two scorers: the real judge (the cost a trainer sees) and {@link TrivialJudgeForBenchmarks}
 * (no model: the pipeline's own ceiling, where the HTTP layer's cost is most visible).
 */
final class GatewayBench {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What to run. */
  record Settings(
      String mode,
      List<Integer> sizes,
      List<Integer> trivialSizes,
      int repeats,
      int trivialRepeats,
      int batchSize,
      int partitions,
      int threads) {}

  private final Settings s;
  private final PrintStream log;
  private final HttpClient http = HttpClient.newHttpClient();
  private int requests;

  GatewayBench(Settings settings, PrintStream log) {
    this.s = settings;
    this.log = log;
  }

  ObjectNode run(Supplier<Judge> realJudge, List<PairInput> pool) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("mode", s.mode()).put("batch_size", s.batchSize()).put("partitions", s.partitions());
    try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker().start()) {
      out.set(
          "real_judge", scorer(broker, "real", realJudge, s.mode(), pool, s.sizes(), s.repeats()));
      out.set(
          "trivial_judge",
          scorer(
              broker,
              "trivial",
              TrivialJudgeForBenchmarks::new,
              "greedy",
              pool,
              s.trivialSizes(),
              s.trivialRepeats()));
    }
    return out;
  }

  /** One scorer, its gateway and a direct client; every request size, both paths alternating. */
  private ArrayNode scorer(
      EmbeddedKafkaBroker broker,
      String name,
      Supplier<Judge> judge,
      String mode,
      List<PairInput> pool,
      List<Integer> sizes,
      int repeats) {
    String prefix = "gwbench-" + name + "-" + System.nanoTime();
    String input = prefix + "-rollouts";
    String output = prefix + "-rewards";
    String dlq = prefix + "-dlq";
    TopicCreator.createTopics(
        KafkaConnection.of(broker.bootstrapServers()),
        Map.of(input, s.partitions(), output, s.partitions(), dlq, s.partitions()),
        Optional.of((short) 1));
    Path stateDir = PipelineBench.tempDir();
    GatewayConfig gatewayConfig =
        new GatewayConfig(
            broker.bootstrapServers(),
            "127.0.0.1",
            0,
            Duration.ofMinutes(10),
            1 << 16,
            input,
            output,
            dlq,
            prefix + "-groups",
            prefix + "-group-rewards",
            Map.of());
    ArrayNode rows = JsonNodeFactory.instance.arrayNode();
    try (RewardStreamApp app =
            RewardStreamApp.start(
                config(broker, prefix, input, output, dlq, mode, stateDir), judge.get());
        GatewayServer gateway = GatewayServer.start(gatewayConfig);
        DirectClient direct = new DirectClient(broker.bootstrapServers(), input, output, dlq)) {
      app.awaitRunning(Duration.ofSeconds(120));
      // warm-up: one request each way (JIT, connections, the judge's first batch)
      int warm = Math.min(sizes.get(0), 16);
      direct.score(next(pool, warm));
      post(gateway, next(pool, warm));
      for (int k : sizes) {
        List<Double> directMs = new ArrayList<>();
        List<Double> httpMs = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
          directMs.add(direct.score(next(pool, k)));
          httpMs.add(post(gateway, next(pool, k)));
        }
        rows.add(row(name, k, directMs, httpMs));
      }
    } finally {
      PipelineBench.deleteRecursively(stateDir);
    }
    return rows;
  }

  private ObjectNode row(String name, int k, List<Double> directMs, List<Double> httpMs) {
    double direct = k / (Stats.median(directMs) / 1000);
    double viaHttp = k / (Stats.median(httpMs) / 1000);
    ObjectNode row = JsonNodeFactory.instance.objectNode();
    row.put("items_per_request", k).put("requests_per_path", directMs.size());
    row.put("direct_items_per_s", Stats.round(direct, 2));
    row.put("http_items_per_s", Stats.round(viaHttp, 2));
    row.put("http_over_direct", Stats.round(viaHttp / direct, 4));
    row.put("direct_p50_ms", Stats.round(Stats.percentile(directMs, 50), 1));
    row.put("direct_p99_ms", Stats.round(Stats.percentile(directMs, 99), 1));
    row.put("http_p50_ms", Stats.round(Stats.percentile(httpMs, 50), 1));
    row.put("http_p99_ms", Stats.round(Stats.percentile(httpMs, 99), 1));
    directMs.forEach(row.putArray("direct_ms")::add);
    httpMs.forEach(row.putArray("http_ms")::add);
    log.printf(
        Locale.ROOT,
        "%-7s %4d items x %2d: direct %8.1f items/s (p50 %7.0f, p99 %7.0f ms)   http %8.1f"
            + " items/s (p50 %7.0f, p99 %7.0f ms)   http/direct %.3f%n",
        name,
        k,
        directMs.size(),
        direct,
        Stats.percentile(directMs, 50),
        Stats.percentile(directMs, 99),
        viaHttp,
        Stats.percentile(httpMs, 50),
        Stats.percentile(httpMs, 99),
        viaHttp / direct);
    return row;
  }

  /** K pairs with ids never sent before. */
  private List<PairInput> next(List<PairInput> pool, int k) {
    return PipelineSuite.cycle(pool, k, "req" + (++requests) + "-");
  }

  /** One POST of the pairs; ms until the answer is read (fails unless every pair is OK). */
  private double post(GatewayServer gateway, List<PairInput> pairs) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode items = body.putArray("pairs");
    for (PairInput p : pairs) {
      items
          .addObject()
          .put("rollout_id", p.rolloutId())
          .put("prompt", p.prompt())
          .put("response_a", p.responseA())
          .put("response_b", p.responseB());
    }
    long start = System.nanoTime();
    try {
      HttpResponse<String> reply =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + gateway.port() + "/v1/score/pairs"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      double ms = Stats.msSince(start);
      if (reply.statusCode() != 200) {
        throw new IllegalStateException(
            "gateway answered " + reply.statusCode() + ": " + reply.body());
      }
      int results = JSON.readTree(reply.body()).get("results").size();
      if (results != pairs.size()) {
        throw new IllegalStateException(results + " results for " + pairs.size() + " pairs");
      }
      return ms;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private AppConfig config(
      EmbeddedKafkaBroker broker,
      String name,
      String input,
      String output,
      String dlq,
      String mode,
      Path stateDir) {
    Properties p = new Properties();
    p.setProperty(AppConfig.APPLICATION_ID, name);
    p.setProperty(AppConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
    p.setProperty(AppConfig.TOPIC_INPUT, input);
    p.setProperty(AppConfig.TOPIC_OUTPUT, output);
    p.setProperty(AppConfig.TOPIC_DLQ, dlq);
    p.setProperty(AppConfig.BATCH_SIZE, Integer.toString(s.batchSize()));
    p.setProperty(AppConfig.BATCH_MAX_WAIT_MS, "200");
    p.setProperty(AppConfig.STATE_DIR, stateDir.toString());
    p.setProperty(AppConfig.JUDGE_MODE, mode);
    p.setProperty(AppConfig.INFERENCE_INTRA_OP_THREADS, Integer.toString(s.threads()));
    return AppConfig.fromProperties(p);
  }

  /** The Kafka path: an idempotent producer and a read_committed consumer of the results. */
  private static final class DirectClient implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String input;

    DirectClient(String bootstrap, String input, String output, String dlq) {
      this.input = input;
      Map<String, Object> pc = new HashMap<>();
      pc.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      pc.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      pc.put(ProducerConfig.ACKS_CONFIG, "all");
      pc.put(ProducerConfig.LINGER_MS_CONFIG, 5);
      producer = new KafkaProducer<>(pc, new ByteArraySerializer(), new ByteArraySerializer());
      Map<String, Object> cc = new HashMap<>();
      cc.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      cc.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      cc.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      consumer = new KafkaConsumer<>(cc, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      List<TopicPartition> assigned = new ArrayList<>();
      for (String topic : List.of(output, dlq)) {
        producer
            .partitionsFor(topic)
            .forEach(info -> assigned.add(new TopicPartition(topic, info.partition())));
      }
      producer.partitionsFor(input);
      consumer.assign(assigned);
      consumer.seekToEnd(assigned);
      assigned.forEach(consumer::position);
    }

    /** Sends the pairs; ms until a result or dead letter of each is read. */
    double score(List<PairInput> pairs) {
      Set<String> waiting = new HashSet<>();
      long start = System.nanoTime();
      for (PairInput p : pairs) {
        byte[] value =
            AvroSerdes.rolloutPair()
                .serializer()
                .serialize(
                    input,
                    RolloutPair.newBuilder()
                        .setRolloutId(p.rolloutId())
                        .setPrompt(p.prompt())
                        .setResponseA(p.responseA())
                        .setResponseB(p.responseB())
                        .setPolicyVersion("bench")
                        .setProducedAt(Instant.now())
                        .build());
        waiting.add(p.rolloutId());
        producer.send(
            new ProducerRecord<>(input, p.rolloutId().getBytes(StandardCharsets.UTF_8), value));
      }
      producer.flush();
      long deadline = start + Duration.ofMinutes(10).toNanos();
      while (!waiting.isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(waiting.size() + " results never came");
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(5))) {
          if (record.key() != null) {
            waiting.remove(new String(record.key(), StandardCharsets.UTF_8));
          }
        }
      }
      return Stats.msSince(start);
    }

    @Override
    public void close() {
      producer.close(Duration.ofSeconds(5));
      consumer.close();
    }
  }
}
