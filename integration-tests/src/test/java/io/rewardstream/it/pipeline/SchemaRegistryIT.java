package io.rewardstream.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rewardstream.app.AppConfig;
import io.rewardstream.app.RewardStreamApp;
import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.cli.RewardStreamCli;
import io.rewardstream.gateway.GatewayConfig;
import io.rewardstream.gateway.GatewayServer;
import io.rewardstream.it.ApicurioRegistry;
import io.rewardstream.it.KafkaClusterExtension;
import io.rewardstream.it.RegistryHttp;
import io.rewardstream.it.TcpRelay;
import io.rewardstream.it.pipeline.Pipelines.Raw;
import io.rewardstream.schemas.AvroSerdes;
import io.rewardstream.schemas.WireFormat;
import io.rewardstream.schemas.registry.RegistrySettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Registry mode against a real schema registry (Apicurio Registry 3.0.9, its Confluent-compatible
 * API) and the embedded broker, with the bundled judge: a mixed input topic (Confluent-framed and
 * single-object pairs, and one record naming a schema id the registry does not have) is scored; the
 * rewards are Confluent-framed under the registered {@code <topic>-value} subjects; a consumer
 * built only from the registry (Java's generic Avro reader, and Python's confluent-kafka registry
 * client with python3-avro) decodes them; {@code tail} reads them; and a schema the registry
 * refuses stops {@code produce} at start with the registry's reason.
 */
class SchemaRegistryIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PAIRS = 100;

  @RegisterExtension
  static final KafkaClusterExtension kafka = KafkaClusterExtension.fromSystemProperties();

  private static ApicurioRegistry registry;
  private static Path work;

  @BeforeAll
  static void startRegistry() {
    work = Pipelines.tempDir("registry");
    registry = ApicurioRegistry.start(work.resolve("registry.log"));
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void scoresAMixedTopicInRegistryModeAndToolsReadTheRewardsFromTheRegistryAlone()
      throws Exception {
    scoresAMixedTopic(kafka, registry.http(), work, "registry");
  }

  @Test
  void aSchemaTheRegistryRefusesStopsProduceAtStartWithTheReason() throws Exception {
    refusedSchemaStopsProduce(kafka, registry.http(), work);
  }

  @Test
  void aRegistryOutageStopsScoringWithoutDeadLettersAndScoringResumesWhenItIsBack()
      throws Exception {
    Pipelines.Topics topics = Pipelines.Topics.create(kafka, "outage", 1);
    // The actor registers its schema with the registry itself: an id the app has not seen yet.
    WireFormat actor =
        WireFormat.withRegistry(WireFormat.Format.REGISTRY, RegistrySettings.of(registry.url()));
    List<Raw> records =
        Pipelines.heldoutPairs("outage", 4).stream()
            .map(
                p ->
                    Raw.of(
                        p.getRolloutId(),
                        actor.rolloutPair().serializer().serialize(topics.input(), p)))
            .toList();
    try (TcpRelay relay = new TcpRelay(registry.port())) {
      // The app reaches the registry through a relay the test can cut, and retries for 1 s.
      AppConfig config =
          Pipelines.config(
              kafka,
              "outage-app",
              topics,
              4,
              work.resolve("outage-state"),
              WireFormat.FORMAT,
              "registry",
              RegistrySettings.URL,
              "http://127.0.0.1:" + relay.port() + "/apis/ccompat/v7",
              RegistrySettings.RETRY_TIMEOUT_MS,
              "1000");
      List<ConsumerRecord<String, byte[]>> rewards;
      try (RewardStreamApp app = RewardStreamApp.start(config)) {
        app.awaitRunning(Duration.ofSeconds(90));

        // The registry becomes unreachable, then pairs with the unseen schema id arrive.
        relay.cut();
        Pipelines.produce(kafka, topics.input(), records);
        Pipelines.sleep(2500); // > the 1 s retry: the stream thread failed at least once
        assertThat(Pipelines.readAllCommitted(kafka, topics.output(), new ByteArrayDeserializer()))
            .as("nothing scored while the registry was away")
            .isEmpty();

        // It comes back: the replaced stream thread reads the same records again and scores them.
        relay.restore();
        rewards =
            Pipelines.readCommitted(
                kafka,
                topics.output(),
                new ByteArrayDeserializer(),
                read -> read.size() >= 4,
                Duration.ofMinutes(2),
                Duration.ofSeconds(2));
      }
      assertThat(Pipelines.byUniqueKey(rewards)).hasSize(4);
      assertThat(Pipelines.readAllCommitted(kafka, topics.dlq(), new ByteArrayDeserializer()))
          .as("good records are not dead-lettered because the registry blinked")
          .isEmpty();
    }
  }

  /**
   * The whole registry-mode scenario against any registry with the Confluent-compatible API (also
   * run against Confluent Schema Registry by {@code ConfluentSchemaRegistryIT} where Docker is).
   *
   * @param name prefix of the topics and the application id
   */
  static void scoresAMixedTopic(
      KafkaClusterExtension kafka, RegistryHttp registry, Path work, String name) throws Exception {
    // Step 1: a mixed input topic: half the pairs Confluent-framed, half single-object, and one
    // Confluent-framed record whose schema id the registry does not have.
    Pipelines.Topics topics = Pipelines.Topics.create(kafka, name, 3);
    WireFormat actor =
        WireFormat.withRegistry(WireFormat.Format.REGISTRY, RegistrySettings.of(registry.url()));
    List<RolloutPair> pairs = Pipelines.heldoutPairs("sr", PAIRS);
    List<Raw> records = new ArrayList<>();
    for (int i = 0; i < PAIRS; i++) {
      RolloutPair pair = pairs.get(i);
      byte[] value =
          i % 2 == 0
              ? actor.rolloutPair().serializer().serialize(topics.input(), pair)
              : AvroSerdes.rolloutPair().serializer().serialize(topics.input(), pair);
      records.add(Raw.of(pair.getRolloutId(), value));
    }
    byte[] unknownId = ByteBuffer.allocate(9).put((byte) 0).putInt(987_654).putInt(0).array();
    records.add(Raw.of("sr-unknown-id", unknownId));
    Pipelines.produce(kafka, topics.input(), records);
    assertThat(records.get(0).value()[0]).as("Confluent magic byte").isZero();
    assertThat(records.get(1).value()[0]).as("single-object marker").isEqualTo((byte) 0xC3);

    // Step 2: the app in registry mode scores all 100 and dead-letters the unknown id.
    AppConfig config =
        Pipelines.config(
            kafka,
            name + "-app",
            topics,
            16,
            work.resolve(name + "-state"),
            WireFormat.FORMAT,
            "registry",
            RegistrySettings.URL,
            registry.url());
    List<ConsumerRecord<String, byte[]>> rewards;
    List<ConsumerRecord<String, byte[]>> letters;
    try (RewardStreamApp app = RewardStreamApp.start(config)) {
      app.awaitRunning(Duration.ofSeconds(90));
      rewards =
          Pipelines.readCommitted(
              kafka,
              topics.output(),
              new ByteArrayDeserializer(),
              read -> read.size() >= PAIRS,
              Duration.ofMinutes(4),
              Duration.ofSeconds(2));
      letters =
          Pipelines.readCommitted(
              kafka,
              topics.dlq(),
              new ByteArrayDeserializer(),
              read -> !read.isEmpty(),
              Duration.ofSeconds(60),
              Duration.ofSeconds(1));

      // Step 2b: the Python client in registry mode scores through the same app and registry.
      String pyOut =
          python(
              work,
              "python_client.py",
              String.join(
                  "\n",
                  "import sys",
                  "from rewardstream import Pair, RewardClient",
                  "bootstrap, rollouts, rewards, dlq, url = sys.argv[1:6]",
                  "with RewardClient(bootstrap, rollouts_topic=rollouts, rewards_topic=rewards,",
                  "                  dlq_topic=dlq, serde_format='registry',",
                  "                  schema_registry_url=url) as client:",
                  "    [reward] = client.score_pairs([Pair(rollout_id='py-registry-1',",
                  "        prompt='Ana has 3 cups. How many cups does Ana have?',",
                  "        response_a='3 cups.', response_b='4 cups.')], timeout=120)",
                  "    print('python client: %s %s %s' % (reward.rollout_id, reward.status,",
                  "          reward.preferred))",
                  ""),
              kafka.bootstrapServers(),
              topics.input(),
              topics.output(),
              topics.dlq(),
              registry.url());
      assertThat(pyOut).contains("python client: py-registry-1 OK");

      // Step 2c: the gateway in registry mode: an HTTP pair goes in Confluent-framed and comes
      // back scored.
      GatewayConfig gateway =
          new GatewayConfig(
              kafka.bootstrapServers(),
              "127.0.0.1",
              0,
              Duration.ofSeconds(120),
              64,
              topics.input(),
              topics.output(),
              topics.dlq(),
              "registry-no-groups",
              "registry-no-group-rewards",
              Map.of(WireFormat.FORMAT, "registry", RegistrySettings.URL, registry.url()));
      try (GatewayServer server = GatewayServer.start(gateway)) {
        String body =
            "{\"pairs\": [{\"rollout_id\": \"gw-registry-1\", \"prompt\": \"Ana has 3 cups."
                + " How many cups does Ana have?\", \"response_a\": \"4 cups.\","
                + " \"response_b\": \"3 cups.\"}]}";
        HttpResponse<String> answer =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + "/v1/score/pairs"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode result = JSON.readTree(answer.body()).at("/results/0");
        assertThat(result.get("rollout_id").asText()).isEqualTo("gw-registry-1");
        assertThat(result.get("status").asText()).isEqualTo("OK");
      }
      List<ConsumerRecord<String, byte[]>> sent =
          Pipelines.readAllCommitted(kafka, topics.input(), new ByteArrayDeserializer());
      assertThat(sent)
          .filteredOn(r -> r.key().equals("gw-registry-1") || r.key().equals("py-registry-1"))
          .hasSize(2)
          .allSatisfy(r -> assertThat(r.value()[0]).as(r.key()).isZero());
    }
    rewards = rewards.stream().filter(r -> r.key().startsWith("sr-")).toList();
    assertThat(Pipelines.byUniqueKey(rewards)).hasSize(PAIRS);
    assertThat(rewards).allSatisfy(r -> assertThat(r.value()[0]).isZero());

    // Step 3: the registry holds the subjects, and the rewards name the rewards subject's id.
    JsonNode subjects = JSON.readTree(registry.get("/subjects").body());
    List<String> names = new ArrayList<>();
    subjects.forEach(s -> names.add(s.asText()));
    assertThat(names)
        .contains(topics.input() + "-value", topics.output() + "-value", topics.dlq() + "-value");
    JsonNode latest =
        JSON.readTree(
            registry.get("/subjects/" + topics.output() + "-value/versions/latest").body());
    assertThat(new Schema.Parser().parse(latest.get("schema").asText()).getFullName())
        .isEqualTo("io.rewardstream.avro.RewardResult");
    int rewardsId = latest.get("id").asInt();
    assertThat(rewards)
        .allSatisfy(
            r -> assertThat(ByteBuffer.wrap(r.value(), 1, 4).getInt()).isEqualTo(rewardsId));

    // Step 4: a consumer built only from the registry (no RewardStream class) decodes them.
    Map<Integer, Schema> writers = new HashMap<>();
    Map<String, String> verdicts = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : rewards) {
      int id = ByteBuffer.wrap(r.value(), 1, 4).getInt();
      Schema writer =
          writers.computeIfAbsent(
              id,
              i -> {
                try {
                  String body = registry.get("/schemas/ids/" + i).body();
                  return new Schema.Parser().parse(JSON.readTree(body).get("schema").asText());
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
              });
      GenericRecord record =
          new GenericDatumReader<GenericRecord>(writer)
              .read(
                  null,
                  DecoderFactory.get().binaryDecoder(r.value(), 5, r.value().length - 5, null));
      verdicts.put(record.get("rollout_id").toString(), String.valueOf(record.get("preferred")));
    }
    assertThat(verdicts).hasSize(PAIRS);
    // The chosen response is A for even ids, B for odd ones: the judge's verdicts came through.
    long right =
        verdicts.entrySet().stream()
            .filter(
                e -> {
                  int i = Integer.parseInt(e.getKey().substring(3));
                  return e.getValue().equals(i % 2 == 0 ? "A" : "B");
                })
            .count();
    assertThat(right).as("verdicts matching the held-out labels").isGreaterThanOrEqualTo(90);

    // Step 5: the dead letter, Confluent-framed too, says which id was unknown.
    DeadLetter letter =
        actor.deadLetter().deserializer().deserialize(topics.dlq(), letters.get(0).value());
    assertThat(letter.getReason().toString()).contains("UNKNOWN_SCHEMA_ID").contains("987654");
    assertThat(letters).hasSize(1);

    // Step 6: Python's confluent-kafka registry client and python3-avro read a reward.
    String pythonOut =
        python(
            work,
            "read_reward.py",
            String.join(
                "\n",
                "import io, struct, sys",
                "import avro.io, avro.schema",
                "from confluent_kafka import Consumer, TopicPartition",
                "from confluent_kafka.schema_registry import SchemaRegistryClient",
                "bootstrap, topic, url = sys.argv[1:4]",
                "registry = SchemaRegistryClient({'url': url})",
                "consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'py-registry',",
                "                     'auto.offset.reset': 'earliest',",
                "                     'isolation.level': 'read_committed'})",
                "consumer.assign([TopicPartition(topic, p, 0) for p in range(3)])",
                "msg = None",
                "for _ in range(60):",
                "    msg = consumer.poll(1.0)",
                "    if msg is not None and msg.error() is None:",
                "        break",
                "value = msg.value()",
                "magic, schema_id = struct.unpack('>bI', value[:5])",
                "schema = avro.schema.parse(registry.get_schema(schema_id).schema_str)",
                "decoder = avro.io.BinaryDecoder(io.BytesIO(value[5:]))",
                "record = avro.io.DatumReader(schema).read(decoder)",
                "print('magic=%d id=%d rollout_id=%s preferred=%s' % (magic, schema_id,",
                "      record['rollout_id'], record['preferred']))",
                "consumer.close()",
                ""),
            kafka.bootstrapServers(),
            topics.output(),
            registry.url());
    assertThat(pythonOut)
        .containsPattern("magic=0 id=" + rewardsId + " rollout_id=(sr-|py-registry-)");

    // Step 7: tail, with the registry in its client config, shows the rewards.
    Path clientConfig = work.resolve(name + ".properties");
    Files.writeString(
        clientConfig,
        "serde.format=registry\nschema.registry.url=" + registry.url() + "\n",
        StandardCharsets.UTF_8);
    CliRun tail =
        CliRun.of(
            "tail",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--client-config",
            clientConfig.toString(),
            "--topic",
            topics.output(),
            "--from-beginning",
            "--max",
            "3",
            "--idle-timeout",
            "30");
    assertThat(tail.status()).as(tail.err()).isZero();
    assertThat(tail.out()).contains("sr-0").doesNotContain("undecodable");

    // Step 8: replay the mixed input in registry mode, then compare the two result topics.
    CliRun replay =
        CliRun.of(
            "replay",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--client-config",
            clientConfig.toString(),
            "--input-topic",
            topics.input(),
            "--from",
            "earliest",
            "--to",
            "latest",
            "--output-topic",
            topics.output() + "-replayed",
            "--dlq-topic",
            topics.dlq() + "-replayed",
            "--judge-dir",
            Pipelines.judgeDir().toString(),
            "--mode",
            "greedy");
    assertThat(replay.status()).as(replay.err()).isZero();
    assertThat(replay.out()).contains("scored     " + (PAIRS + 2) + " OK");
    List<ConsumerRecord<String, byte[]>> replayed =
        Pipelines.readAllCommitted(
            kafka, topics.output() + "-replayed", new ByteArrayDeserializer());
    assertThat(replayed).hasSize(PAIRS + 2).allSatisfy(r -> assertThat(r.value()[0]).isZero());
    CliRun compare =
        CliRun.of(
            "compare",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--client-config",
            clientConfig.toString(),
            "--baseline",
            topics.output(),
            "--candidate",
            topics.output() + "-replayed",
            "--out",
            work.resolve(name + "-compare").toString());
    assertThat(compare.status()).as(compare.err()).isZero();
    assertThat(work.resolve(name + "-compare.json")).isRegularFile();
    assertThat(compare.out()).doesNotContain("undecodable");
  }

  /**
   * Runs a Python script with Debian's interpreter and the repository's Python client on its path;
   * fails on a non-zero exit.
   *
   * @return its output
   */
  private static String python(Path work, String name, String source, String... args)
      throws Exception {
    Path script = work.resolve(name);
    Files.writeString(script, source, StandardCharsets.UTF_8);
    List<String> command = new ArrayList<>();
    command.add(System.getProperty("rewardstream.python", "/usr/bin/python3"));
    command.add(script.toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Path client =
        Path.of(System.getProperty("rewardstream.repo.root", ".."), "clients", "python")
            .toAbsolutePath()
            .normalize();
    builder.environment().put("PYTHONPATH", client.toString());
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(180, TimeUnit.SECONDS)).as(name).isTrue();
    assertThat(process.exitValue()).as(name + ":\n" + out).isZero();
    return out;
  }

  /** A schema the registry refuses (BACKWARD, an unrelated record) stops produce at start. */
  static void refusedSchemaStopsProduce(
      KafkaClusterExtension kafka, RegistryHttp registry, Path work) throws Exception {
    // A subject under BACKWARD that already holds an unrelated record with a required field.
    String topic = kafka.createTopic("refused-rollouts", 1);
    String subject = topic + "-value";
    String other =
        "{\"type\":\"record\",\"name\":\"Other\",\"fields\":[{\"name\":\"x\",\"type\":\"long\"}]}";
    assertThat(
            registry.send("PUT", "/config/" + subject, "{\"compatibility\":\"BACKWARD\"}").status())
        .isEqualTo(200);
    assertThat(
            registry
                .send(
                    "POST",
                    "/subjects/" + subject + "/versions",
                    JSON.createObjectNode().put("schema", other).toString())
                .status())
        .isEqualTo(200);
    Path jsonl = work.resolve("refused.jsonl");
    Files.writeString(
        jsonl,
        "{\"rollout_id\": \"r-1\", \"prompt\": \"Ana has 3 cups. How many cups does Ana have?\","
            + " \"response_a\": \"3 cups.\", \"response_b\": \"4 cups.\", \"policy_version\": \"p\"}\n",
        StandardCharsets.UTF_8);
    Path clientConfig = work.resolve("refused.properties");
    Files.writeString(
        clientConfig,
        "serde.format=registry\nschema.registry.url=" + registry.url() + "\n",
        StandardCharsets.UTF_8);

    CliRun produce =
        CliRun.of(
            "produce",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--client-config",
            clientConfig.toString(),
            "--file",
            jsonl.toString(),
            "--topic",
            topic);

    assertThat(produce.status()).as(produce.err()).isEqualTo(RewardStreamCli.KAFKA_ERROR);
    assertThat(produce.err())
        .contains("refused to register io.rewardstream.avro.RolloutPair")
        .contains("'" + subject + "'")
        .contains("HTTP 409")
        .contains("BACKWARD");
    assertThat(Pipelines.readAllCommitted(kafka, topic, new ByteArrayDeserializer())).isEmpty();
  }
}
