package io.rewardstream.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.app.AppConfig;
import io.rewardstream.app.RewardStreamApp;
import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.avro.ScoreStatus;
import io.rewardstream.it.KafkaClusterExtension;
import io.rewardstream.it.pipeline.Pipelines.Raw;
import io.rewardstream.it.pipeline.Pipelines.Topics;
import io.rewardstream.schemas.AvroSerdes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input mixed with good, on one topic, through the real pipeline and judge: every bad record
 * ends in the dead-letter topic once, with the right reason and its original bytes; every good one
 * is scored; the app keeps running. Greedy mode (the test is about validation).
 */
class BadInputPipelineIT {

  @RegisterExtension
  static final KafkaClusterExtension kafka = KafkaClusterExtension.fromSystemProperties();

  @Test
  void everyBadRecordIsDeadLetteredWithItsReasonAndEveryGoodOneIsScored() {
    // Step 1: good pairs with bad records between them, each bad one labelled with its reason.
    Topics topics = Topics.create(kafka, "bad", 2);
    List<RolloutPair> good = Pipelines.heldoutPairs("good", 12);
    Map<String, DeadLetterReason> expected = new LinkedHashMap<>();
    List<Raw> records = new ArrayList<>(Pipelines.raw(good));
    records.add(3, bad(expected, "garbage", bytes("\u0000\u0001not avro"), UNDECODABLE));
    records.add(5, bad(expected, "wrong-schema", deadLetterBytes(), UNDECODABLE));
    records.add(7, bad(expected, "empty", pairBytes("empty", p -> p.setResponseA("")), EMPTY));
    records.add(8, bad(expected, "blank", pairBytes("blank", p -> p.setPrompt("  \n")), EMPTY));
    // Single-object encoding names the writer schema: one without response_b is not ours.
    records.add(9, bad(expected, "missing", missingResponseB("missing"), UNDECODABLE));
    records.add(
        10, bad(expected, "oversize", pairBytes("oversize", BadInputPipelineIT::huge), BIG));
    records.add(bad(expected, "truncated", truncated(), UNDECODABLE));
    records.add(Raw.of("tombstone", null));
    expected.put("tombstone", UNDECODABLE);

    // Step 2: run the app over them.
    AppConfig config =
        Pipelines.config(kafka, "bad-" + System.nanoTime(), topics, 8, Pipelines.tempDir("bad"));
    List<ConsumerRecord<String, RewardResult>> results;
    List<ConsumerRecord<String, DeadLetter>> dead;
    try (RewardStreamApp app = RewardStreamApp.start(config)) {
      app.awaitRunning(Duration.ofSeconds(60));
      Pipelines.produce(kafka, topics.input(), records);
      results =
          Pipelines.readCommitted(
              kafka,
              topics.output(),
              AvroSerdes.rewardResult().deserializer(),
              read -> read.size() >= good.size(),
              Duration.ofMinutes(2),
              Duration.ofSeconds(1));
      dead =
          Pipelines.readCommitted(
              kafka,
              topics.dlq(),
              AvroSerdes.deadLetter().deserializer(),
              read -> read.size() >= expected.size(),
              Duration.ofSeconds(30),
              Duration.ofSeconds(1));
      assertThat(app.state().isRunningOrRebalancing())
          .as("the app survived the bad input")
          .isTrue();
    }

    // Step 3: good ones scored once each; bad ones dead-lettered once each, reason and bytes kept.
    Map<String, RewardResult> scored = Pipelines.byUniqueKey(results);
    assertThat(scored.keySet())
        .isEqualTo(good.stream().map(RolloutPair::getRolloutId).collect(Collectors.toSet()));
    assertThat(scored.values())
        .allSatisfy(r -> assertThat(r.getStatus()).isEqualTo(ScoreStatus.OK));
    Map<String, DeadLetter> letters = new LinkedHashMap<>();
    for (ConsumerRecord<String, DeadLetter> record : dead) {
      assertThat(letters.put(originalKey(record.value()), record.value())).isNull();
    }
    assertThat(letters.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
    expected.forEach(
        (key, reason) -> {
          DeadLetter letter = letters.get(key);
          assertThat(letter.getReasonCode()).as(key + ": " + letter.getReason()).isEqualTo(reason);
          assertThat(letter.getReason()).isNotBlank();
          assertThat(letter.getSourceTopic()).isEqualTo(topics.input());
        });
    assertThat(letters.get("missing").getReason()).contains("UNKNOWN_FINGERPRINT");
    assertThat(letters.get("empty").getReason()).contains("response_a");
    assertThat(letters.get("oversize").getReason()).contains("judge.max.prompt.tokens");
    assertThat(letters.get("garbage").getOriginalValue())
        .isEqualTo(ByteBuffer.wrap(bytes("\u0000\u0001not avro")));
  }

  /**
   * Issue 17's poison cases on a real broker: a 900 KB record between good ones (its buffered copy
   * would exceed the changelog's max record size and used to stop the instance), a rollout re-sent
   * after it was scored (an actor's retry) and a record keyed by something else than its id.
   */
  @Test
  void anOversizeRecordAResendAfterScoringAndAForeignKeyAreDeadLetteredAndTheAppLives() {
    // Step 1: 6 good pairs, a 900 KB one, a key mismatch; the app running.
    Topics topics = Topics.create(kafka, "poison", 2);
    List<RolloutPair> good = Pipelines.heldoutPairs("poison", 6);
    RolloutPair big = Pipelines.heldoutPairs("poison-big", 1).get(0);
    big.setMetadata(Map.of("trace", "x".repeat(900 * 1024)));
    byte[] bigBytes = AvroSerdes.rolloutPair().serializer().serialize("it", big);
    List<Raw> records = new ArrayList<>(Pipelines.raw(good.subList(0, 3)));
    records.add(Raw.of(big.getRolloutId(), bigBytes));
    records.add(
        Raw.of("not-its-id", AvroSerdes.rolloutPair().serializer().serialize("it", good.get(3))));
    records.addAll(Pipelines.raw(good.subList(4, 6)));
    AppConfig config =
        Pipelines.config(
            kafka, "poison-" + System.nanoTime(), topics, 4, Pipelines.tempDir("poison"));
    try (RewardStreamApp app = RewardStreamApp.start(config)) {
      app.awaitRunning(Duration.ofSeconds(60));
      Pipelines.produce(kafka, topics.input(), records);
      List<ConsumerRecord<String, RewardResult>> first =
          Pipelines.readCommitted(
              kafka,
              topics.output(),
              AvroSerdes.rewardResult().deserializer(),
              read -> read.size() >= 5,
              Duration.ofMinutes(2),
              Duration.ofSeconds(1));
      assertThat(first).hasSize(5);

      // Step 2: the actor retries two pairs that were already scored.
      Pipelines.produce(kafka, topics.input(), Pipelines.raw(good.subList(0, 2)));
      List<ConsumerRecord<String, DeadLetter>> dead =
          Pipelines.readCommitted(
              kafka,
              topics.dlq(),
              AvroSerdes.deadLetter().deserializer(),
              read -> read.size() >= 4,
              Duration.ofMinutes(1),
              Duration.ofSeconds(2));
      assertThat(app.state().isRunningOrRebalancing()).as("the app is alive").isTrue();

      // Step 3: one reward per scored id, none for the retries; each bad record's reason.
      List<ConsumerRecord<String, RewardResult>> all =
          Pipelines.readAllCommitted(
              kafka, topics.output(), AvroSerdes.rewardResult().deserializer());
      assertThat(Pipelines.byUniqueKey(all).keySet())
          .containsExactlyInAnyOrder(
              good.get(0).getRolloutId(),
              good.get(1).getRolloutId(),
              good.get(2).getRolloutId(),
              good.get(4).getRolloutId(),
              good.get(5).getRolloutId());
      assertThat(dead)
          .extracting(r -> r.value().getReasonCode())
          .containsExactlyInAnyOrder(
              DeadLetterReason.OVERSIZE,
              DeadLetterReason.KEY_MISMATCH,
              DeadLetterReason.DUPLICATE,
              DeadLetterReason.DUPLICATE);
      DeadLetter oversize =
          dead.stream()
              .map(ConsumerRecord::value)
              .filter(d -> d.getReasonCode() == DeadLetterReason.OVERSIZE)
              .findFirst()
              .orElseThrow();
      assertThat(oversize.getOriginalValueSize()).isEqualTo(bigBytes.length);
      assertThat(oversize.getOriginalValue().remaining()).isEqualTo(64 * 1024);
      assertThat(oversize.getRolloutId()).isEqualTo(big.getRolloutId());
      assertThat(
              dead.stream()
                  .map(ConsumerRecord::value)
                  .filter(d -> d.getReasonCode() == DeadLetterReason.DUPLICATE)
                  .map(DeadLetter::getReason))
          .allSatisfy(reason -> assertThat(reason).contains("was already scored at"));
    }
  }

  private static final DeadLetterReason UNDECODABLE = DeadLetterReason.UNDECODABLE;
  private static final DeadLetterReason EMPTY = DeadLetterReason.EMPTY_FIELD;
  private static final DeadLetterReason BIG = DeadLetterReason.OVER_TOKEN_BUDGET;

  private static Raw bad(
      Map<String, DeadLetterReason> expected, String key, byte[] value, DeadLetterReason reason) {
    expected.put(key, reason);
    return Raw.of(key, value);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] pairBytes(String id, java.util.function.Consumer<RolloutPair> spoil) {
    RolloutPair pair = Pipelines.heldoutPairs(id, 1).get(0);
    pair.setRolloutId(id);
    spoil.accept(pair);
    return AvroSerdes.rolloutPair().serializer().serialize("it", pair);
  }

  private static void huge(RolloutPair pair) {
    pair.setPrompt("Count the apples. ".repeat(60) + pair.getPrompt());
  }

  /** A DeadLetter where a RolloutPair belongs: valid Avro, wrong schema. */
  private static byte[] deadLetterBytes() {
    DeadLetter letter =
        DeadLetter.newBuilder()
            .setReasonCode(DeadLetterReason.OTHER)
            .setReason("not a pair")
            .setSourceTopic("elsewhere")
            .setSourcePartition(0)
            .setSourceOffset(0)
            .setFailedAt(Instant.EPOCH)
            .build();
    return AvroSerdes.deadLetter().serializer().serialize("it", letter);
  }

  /**
   * A writer schema of the same record name without response_b: the producer's schema lacks a
   * required field. Single-object encoded with that schema's own fingerprint.
   */
  private static byte[] missingResponseB(String id) {
    Schema schema =
        SchemaBuilder.record("RolloutPair")
            .namespace("io.rewardstream.avro")
            .fields()
            .requiredString("rollout_id")
            .requiredString("prompt")
            .requiredString("response_a")
            .requiredString("policy_version")
            .requiredLong("produced_at")
            .endRecord();
    GenericRecord record = new GenericData.Record(schema);
    record.put("rollout_id", id);
    record.put("prompt", "What is 2 + 2?");
    record.put("response_a", "4");
    record.put("policy_version", "p");
    record.put("produced_at", 0L);
    try {
      return new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema)
          .encode(record)
          .array();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A valid pair cut in half. */
  private static byte[] truncated() {
    byte[] whole = pairBytes("truncated", p -> {});
    return Arrays.copyOf(whole, whole.length / 2);
  }

  private static String originalKey(DeadLetter letter) {
    ByteBuffer key = letter.getOriginalKey().duplicate();
    byte[] bytes = new byte[key.remaining()];
    key.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
