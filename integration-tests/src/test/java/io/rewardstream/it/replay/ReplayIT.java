package io.rewardstream.it.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.avro.ScoreStatus;
import io.rewardstream.cli.RewardStreamCli;
import io.rewardstream.inference.InferenceOptions;
import io.rewardstream.it.KafkaClusterExtension;
import io.rewardstream.judge.JudgeOptions;
import io.rewardstream.judge.ReflectiveJudge;
import io.rewardstream.kafka.KafkaConnection;
import io.rewardstream.replay.CommittedReader;
import io.rewardstream.replay.Comparison;
import io.rewardstream.replay.RangeBound;
import io.rewardstream.replay.Replayer;
import io.rewardstream.schemas.AvroSerdes;
import io.rewardstream.schemas.WireFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * Replay and compare against a real broker and the real bundled judge (greedy for speed): a time
 * range of 20 pairs (plus records outside it and one undecodable record inside it) is scored into a
 * baseline topic; replaying it with the same judge (interrupted after half the range, with a
 * crashed run's transaction left open on the output) agrees 100 % with identical rewards, a rerun
 * adds nothing, and a different judge config's flips are counted exactly as the topics show them.
 */
class ReplayIT {

  @RegisterExtension
  static final KafkaClusterExtension kafka = KafkaClusterExtension.fromSystemProperties();

  // Recent: the broker's time-based retention (7 days) would delete older records mid-test.
  private static final Instant T0 =
      Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(1, ChronoUnit.HOURS);
  private static final int PAIRS = 24; // pairs i = 0..23 at T0 + i s; the range is i = 2..21
  private static final int IN_RANGE = 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ReflectiveJudge greedy;
  private static String rollouts;
  private static String baseline;
  private static String dlq;
  private static Replayer.Summary baselineRun;

  @BeforeAll
  static void scoreTheBaseline() throws IOException {
    // Step 1: input with record timestamps T0 + i s, and an undecodable record inside the range.
    rollouts = kafka.createTopic("replay-rollouts", 2);
    produce(rollouts, pairs("it", PAIRS));
    greedy = judge(JudgeOptions.Mode.GREEDY, 0);
    // Step 2: the baseline is the replay path itself, with the greedy judge.
    baseline = kafka.uniqueTopicName("rewards-baseline");
    dlq = kafka.uniqueTopicName("replay-dlq");
    baselineRun = Replayer.run(options(baseline, dlq), greedy, (done, total) -> {});
  }

  @AfterAll
  static void closeJudge() {
    if (greedy != null) {
      greedy.close();
    }
  }

  @Test
  void sameJudgeAgreesFullyAndARerunAddsNothing() throws IOException {
    assertThat(baselineRun.counts().scored() + baselineRun.counts().failed()).isEqualTo(IN_RANGE);
    assertThat(baselineRun.counts().invalid()).containsEntry("UNDECODABLE", 1L).hasSize(1);

    // Step 1: a crashed earlier run left a transaction open on the output, with a record in it.
    String candidate = kafka.createTopic("rewards-same", 2);
    KafkaProducer<byte[], byte[]> zombie = zombie(candidate, "it-0002");

    // Step 2: replay the first half of the range, then the whole range with the same judge
    // config: the second run resumes (skips the first half) and fences the zombie.
    Replayer.Summary half =
        Replayer.run(options(candidate, null, T0.plusSeconds(12)), greedy, (d, t) -> {});
    assertThat(half.counts().scored() + half.counts().failed()).isEqualTo(10);
    Replayer.Summary rest = Replayer.run(options(candidate, null), greedy, (d, t) -> {});
    assertThat(rest.counts().scored() + rest.counts().failed()).isEqualTo(IN_RANGE - 10);
    assertThat(rest.counts().skipped()).isEqualTo(10);
    assertThatThrownBy(zombie::commitTransaction).isInstanceOf(KafkaException.class);
    zombie.close(Duration.ZERO);

    // Step 3: compare: 100 % agreement, identical rewards, no flips.
    Map<String, RewardResult> base = committedOnce(baseline);
    Map<String, RewardResult> cand = committedOnce(candidate);
    assertThat(base.keySet()).containsExactlyInAnyOrderElementsOf(expectedIds());
    Comparison c = Comparison.of(baseline, base, candidate, cand);
    assertThat(c.joined()).isEqualTo(IN_RANGE);
    assertThat(c.overall().compared()).isEqualTo(IN_RANGE - c.failedExcluded());
    assertThat(c.overall().agreementRate()).isEqualTo(1.0);
    assertThat(c.overall().identicalRewards()).isEqualTo(c.overall().compared());
    assertThat(c.overall().flipTotal()).isZero();
    base.forEach((id, b) -> assertThat(cand.get(id).getRewardA()).isEqualTo(b.getRewardA()));

    // Step 4: rerun the same replay through the CLI: it skips every pair, writes nothing new.
    String out =
        cli(
            "replay",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--input-topic",
            rollouts,
            "--from",
            T0.plusSeconds(2).toString(),
            "--to",
            T0.plusSeconds(22).toString(),
            "--output-topic",
            candidate,
            "--judge-dir",
            judgeDir().toString(),
            "--mode",
            "greedy",
            "--threads",
            "2");
    assertThat(out).contains("scored     0 OK, 0 FAILED").contains("skipped    " + IN_RANGE);
    assertThat(committedOnce(candidate)).isEqualTo(cand);

    // Step 5: the undecodable record was dead-lettered once, with its position.
    Replayer.run(options(baseline, dlq), greedy, (d, t) -> {});
    List<DeadLetter> letters = new ArrayList<>();
    CommittedReader.readToEnd(
        KafkaConnection.of(kafka.bootstrapServers()),
        dlq,
        r -> letters.add(AvroSerdes.deadLetter().deserializer().deserialize(dlq, r.value())));
    assertThat(letters).hasSize(1);
    assertThat(letters.get(0).getReasonCode()).isEqualTo(DeadLetterReason.UNDECODABLE);
    assertThat(letters.get(0).getSourceTopic()).isEqualTo(rollouts);
    assertThat(committedOnce(baseline)).isEqualTo(base);
  }

  @Test
  void aDifferentJudgeConfigsFlipsAreCountedAsTheTopicsShowThem() throws IOException {
    // Step 1: replay with vote mode, 2 samples (one per order), into a new topic.
    String candidate = kafka.uniqueTopicName("rewards-vote");
    try (ReflectiveJudge vote = judge(JudgeOptions.Mode.VOTE, 2)) {
      Replayer.run(options(candidate, null), vote, (d, t) -> {});
    }

    // Step 2: the compare command's report.
    Path report =
        Files.createTempDirectory(Path.of("target").toAbsolutePath(), "compare").resolve("report");
    String table =
        cli(
            "compare",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--baseline",
            baseline,
            "--candidate",
            candidate,
            "--out",
            report.toString());
    assertThat(table).contains("agreement");
    JsonNode json = JSON.readTree(report.resolveSibling("report.json").toFile());
    assertThat(Files.readString(report.resolveSibling("report.html")))
        .contains("id=\"delta-histogram\"", "id=\"flips-by-policy\"");

    // Step 3: count the flips ourselves from the two topics.
    Map<String, RewardResult> base = committedOnce(baseline);
    Map<String, RewardResult> cand = committedOnce(candidate);
    Map<String, Long> flips = new HashMap<>();
    Comparison.FLIPS.forEach(f -> flips.put(f, 0L));
    long agreed = 0;
    long compared = 0;
    for (var e : base.entrySet()) {
      RewardResult b = e.getValue();
      RewardResult c = cand.get(e.getKey());
      if (c == null || b.getStatus() == ScoreStatus.FAILED || c.getStatus() == ScoreStatus.FAILED) {
        continue;
      }
      compared++;
      if (b.getPreferred() == c.getPreferred()) {
        agreed++;
      } else {
        flips.merge(b.getPreferred() + "->" + c.getPreferred(), 1L, Long::sum);
      }
    }
    assertThat(json.get("compared").asLong()).isEqualTo(compared);
    assertThat(json.get("agreed").asLong()).isEqualTo(agreed);
    for (String f : Comparison.FLIPS) {
      assertThat(json.get("flips").get(f).asLong()).as(f).isEqualTo(flips.get(f));
    }
    assertThat(json.get("flips_total").asLong()).isEqualTo(compared - agreed);
    assertThat(cand.values()).allSatisfy(r -> assertThat(r.getMode()).isEqualTo("vote"));
  }

  private static Replayer.Options options(String output, String dlqTopic) {
    return options(output, dlqTopic, T0.plusSeconds(22));
  }

  /** The range [T0 + 2 s, to) of the input, greedy-sized batches of 8. */
  private static Replayer.Options options(String output, String dlqTopic, Instant to) {
    return new Replayer.Options(
        KafkaConnection.of(kafka.bootstrapServers()),
        rollouts,
        List.of(),
        RangeBound.parse("--from", T0.plusSeconds(2).toString()),
        RangeBound.parse("--to", to.toString()),
        output,
        dlqTopic,
        8,
        384,
        null);
  }

  /**
   * A producer with the replay's transactional id for {@code topic} that sends a record for {@code
   * key} and never commits: what a replay killed mid-batch leaves behind.
   */
  private static KafkaProducer<byte[], byte[]> zombie(String topic, String key) {
    Map<String, Object> config = kafka.clientConfig();
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, Replayer.defaultTransactionalId(topic));
    KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    producer.initTransactions();
    producer.beginTransaction();
    producer.send(
        new ProducerRecord<>(
            topic,
            key.getBytes(StandardCharsets.UTF_8),
            "uncommitted".getBytes(StandardCharsets.UTF_8)));
    producer.flush();
    return producer;
  }

  private static List<String> expectedIds() {
    List<String> ids = new ArrayList<>();
    for (int i = 2; i < 2 + IN_RANGE; i++) {
      ids.add(String.format("it-%04d", i));
    }
    return ids;
  }

  /** Every committed result by key, asserting each key appears once. */
  private static Map<String, RewardResult> committedOnce(String topic) {
    CommittedReader.Results r =
        CommittedReader.readResults(
            KafkaConnection.of(kafka.bootstrapServers()), WireFormat.singleObject(), topic);
    assertThat(r.duplicateKeys()).as("%s: keys committed more than once", topic).isZero();
    assertThat(r.undecodable()).isZero();
    return r.results();
  }

  private static String cli(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = RewardStreamCli.commandLine();
    cli.setOut(new PrintWriter(out));
    int status = cli.execute(args);
    assertThat(status).as("exit status of %s; output:%n%s", args[0], out).isZero();
    return out.toString();
  }

  private static ReflectiveJudge judge(JudgeOptions.Mode mode, int samples) {
    return ReflectiveJudge.open(
        judgeDir(),
        new JudgeOptions(mode, samples, Double.NaN),
        new InferenceOptions(InferenceOptions.Device.CPU, 2, 0));
  }

  static Path judgeDir() {
    Path dir =
        Path.of(System.getProperty("rewardstream.repo.root", ".."))
            .resolve("models/judge-tiny")
            .toAbsolutePath()
            .normalize();
    assertThat(dir.resolve("model.onnx")).as("the bundled judge model").isRegularFile();
    return dir;
  }

  /** Pairs from the judge's held-out file; ids it-0000..., record timestamp T0 + i s. */
  private static List<ProducerRecord<byte[], byte[]>> pairs(String prefix, int n)
      throws IOException {
    List<JsonNode> rows = new ArrayList<>();
    for (String line : Files.readAllLines(judgeDir().resolve("heldout.jsonl"))) {
      if (!line.isBlank()) {
        rows.add(JSON.readTree(line));
      }
    }
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      JsonNode row = rows.get(i % rows.size());
      boolean chosenFirst = i % 2 == 0;
      RolloutPair pair =
          RolloutPair.newBuilder()
              .setRolloutId(String.format("%s-%04d", prefix, i))
              .setPrompt(row.get("prompt").asText())
              .setResponseA(row.get(chosenFirst ? "chosen" : "rejected").asText())
              .setResponseB(row.get(chosenFirst ? "rejected" : "chosen").asText())
              .setPolicyVersion("policy-" + i % 3)
              .setProducedAt(T0.plusSeconds(i))
              .build();
      records.add(
          record(
              T0.plusSeconds(i),
              pair.getRolloutId(),
              AvroSerdes.rolloutPair().serializer().serialize(rollouts, pair)));
      if (i == 5) {
        records.add(
            record(T0.plusMillis(5_500), "garbage", "not avro".getBytes(StandardCharsets.UTF_8)));
      }
    }
    return records;
  }

  private static ProducerRecord<byte[], byte[]> record(Instant at, String key, byte[] value) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    return new ProducerRecord<>(rollouts, null, at.toEpochMilli(), k, value);
  }

  private static void produce(String topic, List<ProducerRecord<byte[], byte[]>> records) {
    Map<String, Object> config = kafka.clientConfig();
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      records.forEach(producer::send);
      producer.flush();
    }
  }
}
