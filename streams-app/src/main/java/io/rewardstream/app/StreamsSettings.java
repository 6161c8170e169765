package io.rewardstream.app;

import io.rewardstream.config.ConfigValues;
import io.rewardstream.topology.DeadLetterProcessingExceptionHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The Kafka Streams properties of the app, with the reason for each of our own settings.
 *
 * <p>The reasons are data, not comments, so the app can log them at start-up ("what did it set and
 * why"). Properties from the config file win over ours ({@code putIfAbsent}), but a file that makes
 * a scoring batch unable to finish inside the transaction or the poll interval is refused.
 *
 * @param properties the complete properties to hand to {@code KafkaStreams}
 * @param settings our settings in order; {@code overridden} marks those the file replaced
 */
public record StreamsSettings(Properties properties, List<Setting> settings) {

  /**
   * Deprecated in Kafka 4.x only because it becomes the default (and goes) in 5.0; until then
   * Streams warns at every start while it is unset, so it is set, in this one place.
   */
  @SuppressWarnings("deprecation")
  private static final String PROCESSING_HANDLER_GLOBAL =
      StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG;

  /** The producer's limit unless raised on the broker (transaction.max.timeout.ms). */
  static final long BROKER_MAX_TRANSACTION_TIMEOUT_MS = 900_000;

  /** Streams' own EOS default; never go below it. */
  static final long MIN_TRANSACTION_TIMEOUT_MS = 10_000;

  /** The consumer's default; never go below it. */
  static final long MIN_MAX_POLL_INTERVAL_MS = 300_000;

  /**
   * One property we set.
   *
   * @param key property name
   * @param value effective value (the file's when overridden)
   * @param why one line: why we set it
   * @param overridden true when the config file set the key itself
   */
  public record Setting(String key, String value, String why, boolean overridden) {
    /** The start-up log line. */
    @Override
    public String toString() {
      return key + "=" + value + (overridden ? " (from the config file)" : "") + " -- " + why;
    }
  }

  public StreamsSettings {
    Properties copy = new Properties();
    copy.putAll(properties);
    properties = copy;
    settings = List.copyOf(settings);
  }

  /** A copy: callers may add to it without changing this object. */
  @Override
  public Properties properties() {
    Properties copy = new Properties();
    copy.putAll(properties);
    return copy;
  }

  /** Builds and checks the settings of a config. */
  static StreamsSettings of(AppConfig config) {
    List<Setting> ours = new ArrayList<>();
    ours.addAll(identity(config));
    ours.addAll(delivery(config));
    ours.add(threads(config));
    ours.addAll(errorsAndState(config));
    Properties properties = new Properties();
    properties.putAll(config.kafkaProperties());
    ours.forEach(s -> properties.putIfAbsent(s.key(), s.value()));
    checkTimeouts(properties, config);
    return new StreamsSettings(properties, ours);
  }

  private static List<Setting> identity(AppConfig config) {
    Map<String, String> file = config.kafkaProperties();
    return List.of(
        setting(
            file,
            StreamsConfig.APPLICATION_ID_CONFIG,
            config.applicationId(),
            "consumer group and prefix of internal topics: instances with the same id share"
                + " the input partitions"),
        setting(
            file,
            StreamsConfig.BOOTSTRAP_SERVERS_CONFIG,
            config.bootstrapServers(),
            "the Kafka cluster that holds the rollout, reward and dead-letter topics"));
  }

  private static List<Setting> delivery(AppConfig config) {
    Map<String, String> file = config.kafkaProperties();
    long work = config.transactionWorkMs();
    return List.of(
        setting(
            file,
            StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
            StreamsConfig.EXACTLY_ONCE_V2,
            "a reward is committed atomically with its input offset and the buffer delete;"
                + " a crash re-scores the batch, deterministically, and nothing is doubled"),
        setting(
            file,
            ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
            Long.toString(Math.max(work, MIN_TRANSACTION_TIMEOUT_MS)),
            "a transaction holds at most one scoring batch (over all partitions) and its"
                + " pair-by-pair retry: at least 2 x the batch budget ("
                + cost(config)
                + "); longer only delays aborting a crashed instance's transaction"),
        setting(
            file,
            ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
            Long.toString(Math.max(2 * work, MIN_MAX_POLL_INTERVAL_MS)),
            "Streams stops processing to poll after half of it, so a batch (and its retry)"
                + " started then must fit in the other half: at least 4 x the batch budget ("
                + cost(config)
                + ")"));
  }

  private static Setting threads(AppConfig config) {
    return setting(
        config.kafkaProperties(),
        StreamsConfig.NUM_STREAM_THREADS_CONFIG,
        "1",
        "one judge per instance and it is not thread-safe (one model session per device):"
            + " scale out with more instances of the same application.id, not more threads");
  }

  private static List<Setting> errorsAndState(AppConfig config) {
    Map<String, String> file = config.kafkaProperties();
    List<Setting> settings = new ArrayList<>();
    settings.add(
        setting(
            file,
            StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
            DeadLetterProcessingExceptionHandler.class.getName(),
            "an unexpected error on one record dead-letters it (OTHER) instead of killing the"
                + " stream thread"));
    settings.add(
        setting(
            file,
            DeadLetterProcessingExceptionHandler.DLQ_TOPIC_CONFIG,
            config.dlqTopic(),
            "where that handler writes its DeadLetter records"));
    settings.add(
        setting(
            file,
            PROCESSING_HANDLER_GLOBAL,
            "true",
            "the Kafka 5.0 default, set now: the topology has no global stores, and Streams"
                + " warns at every start while it is unset"));
    if (config.scoringOverlap()) {
      settings.add(
          setting(
              file,
              StreamsConfig.POLL_MS_CONFIG,
              "10",
              "scoring.overlap: the stream thread looks for the judge lane's verdicts between"
                  + " polls, so a poll must not wait long for records (default 100 ms)"));
    }
    if (config.stateDir() != null) {
      settings.add(
          setting(
              file,
              StreamsConfig.STATE_DIR_CONFIG,
              config.stateDir(),
              "where the batch buffer's local stores live (restored from their changelogs);"
                  + " one instance per directory, locked while it runs"));
    }
    return settings;
  }

  /** The batch budget spelled out, for the log and for error messages. */
  private static String cost(AppConfig config) {
    return config.batchSize()
        + " pairs x "
        + config.pairCostMs()
        + " ms x safety "
        + config.costSafetyFactor()
        + " = "
        + config.batchBudgetMs()
        + " ms";
  }

  private static Setting setting(Map<String, String> file, String key, String value, String why) {
    boolean overridden = file.containsKey(key);
    return new Setting(key, overridden ? file.get(key) : value, why, overridden);
  }

  private static void checkTimeouts(Properties properties, AppConfig config) {
    checkTransactionTimeout(properties, config);
    checkPollInterval(properties, config);
    checkThreads(properties);
  }

  private static void checkThreads(Properties properties) {
    String threads = String.valueOf(properties.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).trim();
    if (!threads.equals("1")) {
      throw ConfigValues.invalid(
          StreamsConfig.NUM_STREAM_THREADS_CONFIG,
          threads,
          "the judge is not thread-safe, so RewardStream runs one stream thread; remove the key"
              + " and run more instances (same application.id) for more throughput");
    }
  }

  private static void checkTransactionTimeout(Properties properties, AppConfig config) {
    String txnKey =
        effectiveKey(properties, ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "producer.");
    long txn = parseMs(properties, txnKey);
    long work = config.transactionWorkMs();
    if (txn < work) {
      throw ConfigValues.invalid(
          txnKey,
          txn,
          "a scoring batch may take "
              + cost(config)
              + " and its pair-by-pair retry as long again; raise it to at least "
              + work
              + " or lower batch.size");
    }
    if (txn > BROKER_MAX_TRANSACTION_TIMEOUT_MS && !config.kafkaProperties().containsKey(txnKey)) {
      throw ConfigValues.invalid(
          txnKey,
          txn,
          "above the broker's default transaction.max.timeout.ms ("
              + BROKER_MAX_TRANSACTION_TIMEOUT_MS
              + "); lower batch.size, or raise the broker limit and set "
              + txnKey
              + " explicitly");
    }
  }

  private static void checkPollInterval(Properties properties, AppConfig config) {
    long work = config.transactionWorkMs();
    String pollKey =
        effectiveKey(
            properties, ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "main.consumer.", "consumer.");
    long poll = parseMs(properties, pollKey);
    if (poll < 2 * work) {
      throw ConfigValues.invalid(
          pollKey,
          poll,
          "must be at least 4 x the batch budget ("
              + cost(config)
              + "; a batch and its retry, twice), i.e. "
              + 2 * work
              + "; raise it or lower batch.size");
    }
  }

  /** The key Kafka will actually read: a prefixed one wins over the plain one. */
  private static String effectiveKey(Properties properties, String key, String... prefixes) {
    for (String prefix : prefixes) {
      if (properties.containsKey(prefix + key)) {
        return prefix + key;
      }
    }
    return key;
  }

  private static long parseMs(Properties properties, String key) {
    String raw = String.valueOf(properties.get(key)).trim();
    try {
      return Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw ConfigValues.invalid(key, raw, "expected milliseconds");
    }
  }
}
