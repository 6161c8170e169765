package io.rewardstream.schemas;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DriftAlert;
import io.rewardstream.avro.GroupRewardResult;
import io.rewardstream.avro.GroupWindowStats;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RewardWindowStats;
import io.rewardstream.avro.RolloutGroup;
import io.rewardstream.avro.RolloutPair;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;

/**
 * Every released version of every RewardStream record, and the {@link SchemaStore} built from them.
 *
 * <p>Single-object encoding names the writer's schema only by its 64-bit fingerprint, so a consumer
 * can decode a message only if it knows that exact schema. Producers upgrade at their own pace (a
 * Python actor may still write RolloutPair v1 long after the app reads v2), so the consumer must
 * keep every version it ever released, not just the one it was generated from. The versions live as
 * resources under {@code io/rewardstream/avro/history/<Record>-v<N>.avsc}; the highest version of
 * each record is a copy of the current {@code .avsc} (a test keeps them in step).
 */
public final class SchemaHistory {

  /**
   * How many versions of each record have been released. Bump the number (and add the file) when a
   * record evolves; the order is the order of {@link #all()}.
   */
  static final Map<String, Integer> RELEASED_VERSIONS = releasedVersions();

  private static final String RESOURCE_DIR = "/io/rewardstream/avro/history/";

  private static final List<Schema> CURRENT =
      List.of(
          RolloutPair.getClassSchema(),
          RewardResult.getClassSchema(),
          DeadLetter.getClassSchema(),
          RewardWindowStats.getClassSchema(),
          DriftAlert.getClassSchema(),
          RolloutGroup.getClassSchema(),
          GroupRewardResult.getClassSchema(),
          GroupWindowStats.getClassSchema());

  private static final Map<String, List<Schema>> HISTORY = loadHistory();

  private static final SchemaStore STORE = buildStore();

  private SchemaHistory() {}

  /**
   * The store every RewardStream decoder resolves fingerprints against: all released versions of
   * all records plus the current generated schemas. Read-only and shared; safe across threads.
   */
  public static SchemaStore store() {
    return STORE;
  }

  /**
   * The released versions of one record, oldest first.
   *
   * @param recordName simple name such as {@code "RolloutPair"}
   * @throws IllegalArgumentException if the record is not a RewardStream record
   */
  public static List<Schema> versions(String recordName) {
    List<Schema> versions = HISTORY.get(recordName);
    if (versions == null) {
      throw new IllegalArgumentException(
          "No schema history for record '" + recordName + "'; known: " + HISTORY.keySet());
    }
    return versions;
  }

  /**
   * One released version of one record.
   *
   * @param version 1-based version number
   * @throws IllegalArgumentException if that version was never released
   */
  public static Schema version(String recordName, int version) {
    List<Schema> versions = versions(recordName);
    if (version < 1 || version > versions.size()) {
      throw new IllegalArgumentException(
          recordName + " has versions 1.." + versions.size() + ", not " + version);
    }
    return versions.get(version - 1);
  }

  /** Every released version of every record, record by record, oldest first. */
  public static List<Schema> all() {
    List<Schema> all = new ArrayList<>();
    HISTORY.values().forEach(all::addAll);
    return List.copyOf(all);
  }

  /** The schemas the generated classes were built from, one per record. */
  static List<Schema> current() {
    return CURRENT;
  }

  private static Map<String, Integer> releasedVersions() {
    Map<String, Integer> versions = new LinkedHashMap<>();
    versions.put("RolloutPair", 2);
    versions.put("RewardResult", 1);
    versions.put("DeadLetter", 2);
    versions.put("RewardWindowStats", 1);
    versions.put("DriftAlert", 2);
    versions.put("RolloutGroup", 1);
    versions.put("GroupRewardResult", 1);
    versions.put("GroupWindowStats", 1);
    return Collections.unmodifiableMap(versions);
  }

  private static Map<String, List<Schema>> loadHistory() {
    Map<String, List<Schema>> history = new LinkedHashMap<>();
    RELEASED_VERSIONS.forEach(
        (name, count) -> {
          List<Schema> versions = new ArrayList<>();
          for (int v = 1; v <= count; v++) {
            versions.add(load(name + "-v" + v + ".avsc"));
          }
          history.put(name, List.copyOf(versions));
        });
    return Collections.unmodifiableMap(history);
  }

  private static Schema load(String fileName) {
    String resource = RESOURCE_DIR + fileName;
    try (InputStream in = SchemaHistory.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Schema history resource missing: " + resource);
      }
      // A fresh parser per file: every version of a record defines the same full name.
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read schema history resource " + resource, e);
    }
  }

  private static SchemaStore buildStore() {
    SchemaStore.Cache cache = new SchemaStore.Cache();
    HISTORY.values().forEach(versions -> versions.forEach(cache::addSchema));
    CURRENT.forEach(cache::addSchema);
    // Hide addSchema: the store is shared by every serde and must not change under them.
    return cache::findByFingerprint;
  }
}
