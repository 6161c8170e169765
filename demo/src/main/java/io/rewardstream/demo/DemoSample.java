package io.rewardstream.demo;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.cli.RolloutJsonl;
import io.rewardstream.schemas.AvroSerdes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's input: 24 held-out pairs of the bundled judge (the sample knows which response is
 * better, in {@code metadata.better}), plus records the pipeline must dead-letter: an empty
 * response and an over-budget prompt (in the bundled JSONL), a duplicate of the first pair sent
 * right after it (still buffered, so DUPLICATE), garbage bytes and a record of the wrong schema
 * (both UNDECODABLE; JSONL cannot express them).
 *
 * @param records what to send, in order: key and value bytes
 * @param truth the better response ("A" or "B") of each good pair, by rollout id
 * @param expectedDeadLetters the reason each bad record should get, in sending order
 */
record DemoSample(
    List<Map.Entry<String, byte[]>> records,
    Map<String, String> truth,
    List<DeadLetterReason> expectedDeadLetters) {

  /** Classpath resource of the bundled sample (built by models/samples/make_demo_sample.py). */
  static final String RESOURCE = "/samples/demo-rollouts.jsonl";

  /**
   * Loads the bundled sample.
   *
   * @param idPrefix put before every rollout id and key ("" on a fresh broker; a run id on a shared
   *     cluster, so this run's records are told apart from earlier runs')
   */
  static DemoSample load(String idPrefix) {
    List<RolloutPair> pairs = readBundled();
    pairs.forEach(p -> p.setRolloutId(idPrefix + p.getRolloutId()));
    List<Map.Entry<String, byte[]>> records = new ArrayList<>();
    Map<String, String> truth = new LinkedHashMap<>();
    List<DeadLetterReason> expected = new ArrayList<>();
    for (RolloutPair pair : pairs) {
      String id = pair.getRolloutId();
      records.add(Map.entry(id, encode(pair)));
      String better = pair.getMetadata().get("better");
      String bad = pair.getMetadata().get("expect_dead_letter");
      if (better != null) {
        truth.put(id, better);
      } else if (bad != null) {
        expected.add(DeadLetterReason.valueOf(bad));
      }
      if (records.size() == 1) {
        // The same pair again at once: the first copy is still buffered.
        records.add(Map.entry(id, encode(pair)));
        expected.add(DeadLetterReason.DUPLICATE);
      }
    }
    addUndecodable(idPrefix, records, expected);
    return new DemoSample(List.copyOf(records), truth, List.copyOf(expected));
  }

  private static void addUndecodable(
      String idPrefix, List<Map.Entry<String, byte[]>> records, List<DeadLetterReason> expected) {
    String garbage = idPrefix + "demo-bad-garbage";
    records.add(
        records.size() / 2,
        Map.entry(garbage, "{not avro: just some bytes}".getBytes(StandardCharsets.UTF_8)));
    expected.add(DeadLetterReason.UNDECODABLE);
    String wrongSchema = idPrefix + "demo-bad-wrong-schema";
    DeadLetter letter =
        DeadLetter.newBuilder()
            .setReasonCode(DeadLetterReason.OTHER)
            .setReason("a DeadLetter where a RolloutPair belongs")
            .setSourceTopic("nowhere")
            .setSourcePartition(0)
            .setSourceOffset(0)
            .setFailedAt(Instant.EPOCH)
            .build();
    records.add(
        records.size() / 2 + 3,
        Map.entry(wrongSchema, AvroSerdes.deadLetter().serializer().serialize("demo", letter)));
    expected.add(DeadLetterReason.UNDECODABLE);
  }

  private static byte[] encode(RolloutPair pair) {
    return AvroSerdes.rolloutPair().serializer().serialize("demo", pair);
  }

  private static List<RolloutPair> readBundled() {
    InputStream stream = DemoSample.class.getResourceAsStream(RESOURCE);
    if (stream == null) {
      throw new IllegalStateException("the demo sample " + RESOURCE + " is not on the classpath");
    }
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
      return RolloutJsonl.read(in, RESOURCE, System.currentTimeMillis());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  /** Records that should come out: one result per good pair plus one dead letter per bad one. */
  int expectedOutputs() {
    return truth.size() + expectedDeadLetters.size();
  }

  /** Every key this sample sends: how its outputs are told apart from other runs'. */
  java.util.Set<String> keys() {
    java.util.Set<String> keys = new java.util.HashSet<>();
    records.forEach(r -> keys.add(r.getKey()));
    return keys;
  }
}
