package io.rewardstream.schemas;

import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.Serde;

/**
 * A topic name bound to the serdes of its key and value.
 *
 * <p>Carrying the serdes with the name means a producer, a consumer and the topology cannot
 * disagree about a topic's types, and the compiler checks it. Immutable: deployments that rename
 * topics derive a copy with {@link #withName(String)} instead of mutating a shared constant.
 *
 * @param name the Kafka topic name (legal characters only: letters, digits, '.', '_', '-')
 * @param keySerde serde of the record key
 * @param valueSerde serde of the record value
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {

  // Kafka's own rule (org.apache.kafka.common.internals.Topic), without depending on internals.
  private static final Pattern LEGAL_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  /** Validates the name the way the broker would, so a typo fails at start-up, not at send. */
  public Topic {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(keySerde, "keySerde");
    Objects.requireNonNull(valueSerde, "valueSerde");
    if (!LEGAL_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException(
          "Illegal Kafka topic name '"
              + name
              + "': use 1..249 of [a-zA-Z0-9._-], and not '.' or '..'");
    }
  }

  /** The same key and value types on a differently named topic. */
  public Topic<K, V> withName(String newName) {
    return new Topic<>(newName, keySerde, valueSerde);
  }

  @Override
  public String toString() {
    return "Topic[" + name + "]";
  }
}
