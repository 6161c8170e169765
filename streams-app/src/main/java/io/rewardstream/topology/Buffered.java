package io.rewardstream.topology;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/** What the pair and group buffers hold: an input with its arrival time and source offset. */
interface Buffered {

  /** When validation accepted it (wall clock, ms). */
  long arrivalMs();

  /** Its offset in the input partition. */
  long sourceOffset();

  /** Every entry of a buffer store, oldest first (arrival, then offset). */
  static <V extends Buffered> List<KeyValue<String, V>> oldestFirst(
      KeyValueStore<String, V> store) {
    List<KeyValue<String, V>> entries = new ArrayList<>();
    try (KeyValueIterator<String, V> it = store.all()) {
      it.forEachRemaining(entries::add);
    }
    entries.sort(
        Comparator.comparingLong((KeyValue<String, V> e) -> e.value.arrivalMs())
            .thenComparingLong(e -> e.value.sourceOffset()));
    return entries;
  }
}
