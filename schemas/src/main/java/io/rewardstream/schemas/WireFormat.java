package io.rewardstream.schemas;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DriftAlert;
import io.rewardstream.avro.GroupRewardResult;
import io.rewardstream.avro.GroupWindowStats;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RewardWindowStats;
import io.rewardstream.avro.RolloutGroup;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.schemas.registry.RegistryClient;
import io.rewardstream.schemas.registry.RegistrySettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * Which wire format RewardStream's record values use, and the serdes for it: one object per
 * process, built from the settings ({@value #FORMAT} and the {@code schema.registry.*} keys) and
 * handed to everything that reads or writes a topic.
 *
 * <ul>
 *   <li>{@code serde.format=single-object} (default): Avro single-object encoding, no registry;
 *       with {@code schema.registry.url} set it also <i>reads</i> Confluent-framed records.
 *   <li>{@code serde.format=registry}: writes the Confluent wire format with schemas registered in
 *       the registry at {@code schema.registry.url}; reads both formats.
 * </ul>
 *
 * <p>Keys stay plain UTF-8 strings in both formats.
 */
public final class WireFormat {

  /** The setting that picks the format written. */
  public static final String FORMAT = "serde.format";

  /** The formats RewardStream writes. */
  public enum Format {
    /** Avro single-object encoding (no registry). */
    SINGLE_OBJECT("single-object"),
    /** The Confluent wire format with a schema registry. */
    REGISTRY("registry");

    private final String text;

    Format(String text) {
      this.text = text;
    }

    /** The setting's value for this format. */
    public String text() {
      return text;
    }

    /** Parses a setting's value. */
    public static Format parse(String value) {
      for (Format f : values()) {
        if (f.text.equals(value.strip().toLowerCase(Locale.ROOT))) {
          return f;
        }
      }
      throw new IllegalArgumentException(
          FORMAT + "=" + value + " is not a wire format: give single-object or registry");
    }
  }

  private static final WireFormat SINGLE_OBJECT = new WireFormat(Format.SINGLE_OBJECT, null);

  private final Format format;
  private final RegistryClient registry;
  private final Map<Class<?>, Serde<?>> serdes = new ConcurrentHashMap<>();

  private WireFormat(Format format, RegistryClient registry) {
    this.format = format;
    this.registry = registry;
  }

  /** Single-object encoding, no registry: the default. */
  public static WireFormat singleObject() {
    return SINGLE_OBJECT;
  }

  /**
   * The format that settings ask for: {@value #FORMAT} (default single-object) and the registry's
   * keys ({@link RegistrySettings}).
   *
   * @throws IllegalArgumentException naming the bad or missing setting and the fix
   */
  public static WireFormat from(Map<String, ?> settings) {
    Optional<RegistrySettings> registry = RegistrySettings.from(settings);
    Format format = formatOf(settings, registry.isPresent());
    return registry.isEmpty()
        ? SINGLE_OBJECT
        : new WireFormat(format, new RegistryClient(registry.get()));
  }

  /**
   * Validates settings as {@link #from} would, without making a registry client (no network).
   *
   * @throws IllegalArgumentException naming the bad or missing setting and the fix
   */
  public static void validate(Map<String, ?> settings) {
    formatOf(settings, RegistrySettings.from(settings).isPresent());
  }

  /** The format written, checked against whether a registry is configured. */
  private static Format formatOf(Map<String, ?> settings, boolean hasRegistry) {
    Object value = settings.get(FORMAT);
    Format format =
        value == null || value.toString().isBlank()
            ? Format.SINGLE_OBJECT
            : Format.parse(value.toString());
    if (format == Format.REGISTRY && !hasRegistry) {
      throw new IllegalArgumentException(missingUrl());
    }
    return format;
  }

  /** Whether a settings key belongs to the wire format ({@value #FORMAT}, schema.registry.*). */
  public static boolean isWireKey(String key) {
    return key.equals(FORMAT) || RegistrySettings.isRegistryKey(key);
  }

  private static String missingUrl() {
    return FORMAT
        + "=registry needs "
        + RegistrySettings.URL
        + ": the base URL of the registry's Confluent-compatible API, e.g."
        + " http://registry:8081 (Confluent, Karapace) or"
        + " http://apicurio:8080/apis/ccompat/v7 (Apicurio)";
  }

  /** A format with the given registry: writes {@code format}, reads both. */
  public static WireFormat withRegistry(Format format, RegistrySettings settings) {
    return new WireFormat(format, new RegistryClient(settings));
  }

  /** The format written. */
  public Format format() {
    return format;
  }

  /** The registry's client, when one is configured. */
  public Optional<RegistryClient> registry() {
    return Optional.ofNullable(registry);
  }

  /** For logs: the format written and the registry, never a secret. */
  public String describe() {
    return format.text()
        + (registry == null ? "" : " (schema registry " + registry.settings().describe() + ")");
  }

  /** {@link #describe()} with the schema ids {@link #prepare} returned, for a start-up log line. */
  public String describe(Map<String, Integer> ids) {
    return describe() + (ids.isEmpty() ? "" : "; schema ids " + ids);
  }

  /** The serde of a generated record type in this format (one shared instance per type). */
  @SuppressWarnings("unchecked")
  public <T extends SpecificRecord> Serde<T> serde(Class<T> type) {
    if (registry == null) {
      return (Serde<T>) serdes.computeIfAbsent(type, t -> AvroSerdes.forType(type));
    }
    return (Serde<T>)
        serdes.computeIfAbsent(
            type,
            t ->
                new RegistrySerde<>(AvroSerdes.forType(type), registry, format == Format.REGISTRY));
  }

  /** The same topic with this format's value serde. */
  @SuppressWarnings("unchecked")
  public <V extends SpecificRecord> Topic<String, V> topic(Topic<String, V> topic) {
    if (!(topic.valueSerde() instanceof SingleObjectSerde<?> serde)) {
      throw new IllegalArgumentException(topic + " does not carry a RewardStream record type");
    }
    return new Topic<>(topic.name(), topic.keySerde(), serde((Class<V>) serde.type()));
  }

  /**
   * Checks the registry and registers (or looks up) the schemas of the topics a command writes,
   * before it writes any, so a wrong URL or a schema the registry refuses stops the command at
   * start with the reason. With single-object writing, only the check (when a registry is set).
   *
   * @return subject → schema id, in the order given
   * @throws io.rewardstream.schemas.registry.RegistryRefusedException naming the subject and fix
   * @throws io.rewardstream.schemas.registry.RegistryUnavailableException when it does not answer
   */
  public Map<String, Integer> prepare(
      List<? extends Topic<String, ? extends SpecificRecord>> written) {
    Map<String, Integer> ids = new LinkedHashMap<>();
    if (registry != null) {
      registry.check(); // a wrong URL stops the command here, in either format
    }
    if (format != Format.REGISTRY) {
      return ids;
    }
    for (Topic<String, ? extends SpecificRecord> topic : written) {
      if (topic(topic).valueSerde() instanceof RegistrySerde<?> serde) {
        ids.put(RegistrySerde.subject(topic.name()), serde.prepare(topic.name()));
      }
    }
    return ids;
  }

  /** Serde for rollout pairs. */
  public Serde<RolloutPair> rolloutPair() {
    return serde(RolloutPair.class);
  }

  /** Serde for rewards. */
  public Serde<RewardResult> rewardResult() {
    return serde(RewardResult.class);
  }

  /** Serde for dead letters. */
  public Serde<DeadLetter> deadLetter() {
    return serde(DeadLetter.class);
  }

  /** Serde for windowed reward statistics. */
  public Serde<RewardWindowStats> rewardWindowStats() {
    return serde(RewardWindowStats.class);
  }

  /** Serde for drift alerts. */
  public Serde<DriftAlert> driftAlert() {
    return serde(DriftAlert.class);
  }

  /** Serde for rollout groups. */
  public Serde<RolloutGroup> rolloutGroup() {
    return serde(RolloutGroup.class);
  }

  /** Serde for group rewards. */
  public Serde<GroupRewardResult> groupRewardResult() {
    return serde(GroupRewardResult.class);
  }

  /** Serde for windowed group-reward statistics. */
  public Serde<GroupWindowStats> groupWindowStats() {
    return serde(GroupWindowStats.class);
  }

  @Override
  public String toString() {
    return "WireFormat[" + describe() + "]";
  }
}
