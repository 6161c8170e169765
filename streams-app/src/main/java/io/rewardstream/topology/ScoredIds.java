package io.rewardstream.topology;

import java.time.Instant;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The ids scored in the last {@code duplicates.retention.ms}, in a changelogged window store: what
 * makes a re-sent rollout (or group) a DUPLICATE instead of a second reward. The value says where
 * the scored input was, for the dead letter's pointer to the first result.
 */
final class ScoredIds {

  private final WindowStore<String, String> store;
  private final long retentionMs;
  private final String idField;
  private final String resultTopic;

  /**
   * @param idField "rollout_id" or "group_id", for the reason text
   * @param resultTopic where the first result is, for the reason text
   */
  ScoredIds(
      WindowStore<String, String> store, long retentionMs, String idField, String resultTopic) {
    this.store = store;
    this.retentionMs = retentionMs;
    this.idField = idField;
    this.resultTopic = resultTopic;
  }

  /**
   * Why a copy of this id is a duplicate, or null when it is not: another copy is still buffered
   * (its result will come), or the id was scored within the retention.
   */
  String duplicateReason(String id, boolean buffered, long nowMs) {
    if (buffered) {
      return idField + " '" + id + "' is already buffered for scoring";
    }
    try (WindowStoreIterator<String> it = store.fetch(id, nowMs - retentionMs, Long.MAX_VALUE)) {
      if (!it.hasNext()) {
        return null;
      }
      KeyValue<Long, String> first = it.next();
      return idField
          + " '"
          + id
          + "' was already scored at "
          + Instant.ofEpochMilli(first.key)
          + " ("
          + first.value
          + "); its result is the record with this key in the "
          + resultTopic
          + " topic. A re-send within duplicates.retention.ms is not scored again";
    }
  }

  /** Records that the id was scored now, from this input position. */
  void record(String id, String topic, int partition, long offset, long scoredAtMs) {
    store.put(id, "input " + topic + "-" + partition + "@" + offset, scoredAtMs);
  }
}
