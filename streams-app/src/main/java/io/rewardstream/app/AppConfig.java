package io.rewardstream.app;

import static io.rewardstream.config.ConfigValues.invalid;
import static io.rewardstream.config.ConfigValues.parse;
import static io.rewardstream.config.ConfigValues.requireRange;

import io.rewardstream.config.ConfigKey;
import io.rewardstream.config.ConfigValues;
import io.rewardstream.inference.InferenceOptions;
import io.rewardstream.judge.JudgeOptions;
import io.rewardstream.judge.group.GroupStrategy;
import io.rewardstream.kafka.KafkaPreflight;
import io.rewardstream.schemas.WireFormat;
import io.rewardstream.schemas.registry.RegistrySettings;
import io.rewardstream.topology.GroupSettings;
import io.rewardstream.topology.TopologySettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The application's configuration: immutable, validated on construction.
 *
 * <p>Loaded from a {@link Properties} file (see {@link #KEYS} for every key of our own, with its
 * default and meaning). Every other key is passed through untouched to Kafka Streams, so any
 * Streams, consumer or producer property (including {@code producer.}/{@code consumer.} prefixed
 * ones) can be set in the same file. Note that our {@code batch.size} is the scoring batch in
 * pairs; the Kafka producer's byte-sized {@code batch.size} is set as {@code producer.batch.size}.
 *
 * <p>{@link #streamsProperties()} builds the Kafka Streams properties: our defaults are added with
 * {@code putIfAbsent} semantics (the file wins), and the two timeouts that bound a scoring batch
 * are derived from the batch size and the per-pair cost; see {@link StreamsSettings}.
 *
 * @param applicationId Kafka Streams application id (consumer group, state and topic prefix)
 * @param bootstrapServers Kafka bootstrap servers
 * @param inputTopic topic of RolloutPair records
 * @param outputTopic topic of RewardResult records
 * @param dlqTopic topic of DeadLetter records
 * @param batchSize pairs scored in one judge call
 * @param batchMaxWaitMs longest a buffered pair waits for its batch to fill, in ms
 * @param maxRecordBytes largest input record (key + value bytes) accepted; bigger ones are
 *     dead-lettered OVERSIZE, so the buffered copy always fits the changelog's max record size
 * @param duplicatesRetentionMs how long a scored rollout_id is remembered, so that the same id sent
 *     again within it is dead-lettered DUPLICATE instead of scored a second time
 * @param poisonMaxAttempts scoring attempts a pair may take that never committed (the process
 *     crashed, was killed or was fenced while scoring it) before it is dead-lettered POISON
 * @param groups group scoring: on or off, topics, strategy, size limit
 * @param maxPromptTokens token budget of the judge prompt; longer pairs are dead-lettered
 * @param judgeDir directory of the judge model (model.onnx, tokenizer.json, judge.json)
 * @param judgeMode greedy, vote or reflect
 * @param judgeSamples judgments sampled per pair (vote and reflect); 0 = the model's judge.json
 * @param judgeTemperature sampling temperature; NaN = the model's judge.json
 * @param inferenceDevice cpu or cuda
 * @param intraOpThreads ONNX Runtime intra-op threads; 0 lets ONNX Runtime decide
 * @param maxBatchRows most sequences the engine decodes together (continuous batching); 0 = all
 * @param stateDir Kafka Streams state directory; null keeps Kafka Streams' default
 * @param pairCostMs estimated (or measured) wall time to score one pair, in ms
 * @param costSafetyFactor multiplier on the batch cost when sizing the timeouts
 * @param metricsPort port of the /healthz and /metrics HTTP endpoints; -1 = off, 0 = any free port
 * @param metricsBind address the /healthz and /metrics server listens on
 * @param scoringOverlap score pair batches on the judge's own thread while the stream thread does
 *     Kafka's work (commit, poll, buffer), instead of on the stream thread
 * @param kafkaProperties every other key of the file, passed to Kafka Streams as is
 * @param wireSettings {@code serde.format} and the {@code schema.registry.*} keys: the wire format
 *     of the topics' values ({@link #wireFormat()}), never passed to Kafka
 */
public record AppConfig(
    String applicationId,
    String bootstrapServers,
    String inputTopic,
    String outputTopic,
    String dlqTopic,
    int batchSize,
    long batchMaxWaitMs,
    int maxRecordBytes,
    long duplicatesRetentionMs,
    int poisonMaxAttempts,
    GroupSettings groups,
    int maxPromptTokens,
    Path judgeDir,
    String judgeMode,
    int judgeSamples,
    double judgeTemperature,
    String inferenceDevice,
    int intraOpThreads,
    int maxBatchRows,
    String stateDir,
    long pairCostMs,
    double costSafetyFactor,
    int metricsPort,
    String metricsBind,
    boolean scoringOverlap,
    Map<String, String> kafkaProperties,
    Map<String, String> wireSettings) {

  public static final String APPLICATION_ID = "application.id";
  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  public static final String TOPIC_INPUT = "topic.input";
  public static final String TOPIC_OUTPUT = "topic.output";
  public static final String TOPIC_DLQ = "topic.dlq";
  public static final String BATCH_SIZE = "batch.size";
  public static final String BATCH_MAX_WAIT_MS = "batch.max.wait.ms";
  public static final String INPUT_MAX_RECORD_BYTES = "input.max.record.bytes";
  public static final String DUPLICATES_RETENTION_MS = "duplicates.retention.ms";
  public static final String POISON_MAX_ATTEMPTS = "poison.max.attempts";
  public static final String GROUPS_ENABLED = "groups.enabled";
  public static final String TOPIC_GROUPS_INPUT = "topic.groups.input";
  public static final String TOPIC_GROUPS_OUTPUT = "topic.groups.output";
  public static final String GROUP_STRATEGY = "group.strategy";
  public static final String GROUP_MAX_SIZE = "group.max.size";
  public static final String GROUP_INCLUDE_ANALYSIS = "group.include.analysis";
  public static final String JUDGE_MAX_PROMPT_TOKENS = "judge.max.prompt.tokens";
  public static final String JUDGE_DIR = "judge.dir";
  public static final String JUDGE_MODE = "judge.mode";
  public static final String JUDGE_SAMPLES = "judge.samples";
  public static final String JUDGE_TEMPERATURE = "judge.temperature";
  public static final String INFERENCE_DEVICE = "inference.device";
  public static final String INFERENCE_INTRA_OP_THREADS = "inference.intra.op.threads";
  public static final String INFERENCE_MAX_BATCH_ROWS = "inference.max.batch.rows";
  public static final String STATE_DIR = "state.dir";
  public static final String JUDGE_PAIR_COST_MS = "judge.pair.cost.ms";
  public static final String JUDGE_COST_SAFETY_FACTOR = "judge.cost.safety.factor";
  public static final String METRICS_PORT = "metrics.port";
  public static final String METRICS_BIND = "metrics.bind";
  public static final String SCORING_OVERLAP = "scoring.overlap";
  public static final String SERDE_FORMAT = WireFormat.FORMAT;
  public static final String SCHEMA_REGISTRY_URL = RegistrySettings.URL;

  /** Our keys, in documentation order. Every other key goes to Kafka Streams. */
  public static final List<ConfigKey> KEYS =
      List.of(
          new ConfigKey(APPLICATION_ID, "rewardstream", "Kafka Streams application id"),
          new ConfigKey(BOOTSTRAP_SERVERS, "localhost:9092", "Kafka bootstrap servers"),
          new ConfigKey(TOPIC_INPUT, "rollouts", "input topic (Avro RolloutPair)"),
          new ConfigKey(TOPIC_OUTPUT, "rewards", "output topic (Avro RewardResult)"),
          new ConfigKey(TOPIC_DLQ, "rollouts-dlq", "dead-letter topic (Avro DeadLetter)"),
          new ConfigKey(BATCH_SIZE, "16", "pairs per judge call (not the producer's batch.size)"),
          new ConfigKey(BATCH_MAX_WAIT_MS, "2000", "longest wait for a batch to fill, ms"),
          new ConfigKey(
              INPUT_MAX_RECORD_BYTES,
              "262144",
              "largest input record, key + value bytes; bigger: OVERSIZE"),
          new ConfigKey(GROUPS_ENABLED, "false", "also score rollout groups (GRPO): true | false"),
          new ConfigKey(TOPIC_GROUPS_INPUT, "rollout-groups", "group input topic (RolloutGroup)"),
          new ConfigKey(
              TOPIC_GROUPS_OUTPUT, "group-rewards", "group output topic (GroupRewardResult)"),
          new ConfigKey(GROUP_STRATEGY, "swiss", "round-robin | anchor | swiss"),
          new ConfigKey(GROUP_MAX_SIZE, "64", "most responses in a group; more: GROUP_SIZE"),
          new ConfigKey(
              GROUP_INCLUDE_ANALYSIS, "false", "put the judge's analysis in each comparison"),
          new ConfigKey(
              DUPLICATES_RETENTION_MS,
              "86400000",
              "ms a scored rollout_id is remembered; re-sent: DUPLICATE"),
          new ConfigKey(
              POISON_MAX_ATTEMPTS, "3", "crashed scoring attempts of a pair before POISON"),
          new ConfigKey(
              JUDGE_MAX_PROMPT_TOKENS,
              "352",
              "judge prompt token budget (bundled judge: 352 + 64 generated of 512)"),
          new ConfigKey(JUDGE_DIR, "models/judge-tiny", "judge model directory"),
          new ConfigKey(JUDGE_MODE, "reflect", "greedy | vote | reflect"),
          new ConfigKey(JUDGE_SAMPLES, "", "judgments sampled per pair; empty = judge.json"),
          new ConfigKey(JUDGE_TEMPERATURE, "", "sampling temperature; empty = judge.json"),
          new ConfigKey(INFERENCE_DEVICE, "cpu", "cpu | cuda"),
          new ConfigKey(INFERENCE_INTRA_OP_THREADS, "0", "ONNX Runtime threads; 0 = its default"),
          new ConfigKey(INFERENCE_MAX_BATCH_ROWS, "0", "sequences decoded together; 0 = all"),
          new ConfigKey(
              SCORING_OVERLAP, "false", "score on the judge's own thread while Kafka commits"),
          new ConfigKey(STATE_DIR, "", "Kafka Streams state dir; empty = a free one per instance"),
          new ConfigKey(
              JUDGE_PAIR_COST_MS,
              "2000",
              "guess of ms per pair; replaced by a measurement at start"),
          new ConfigKey(JUDGE_COST_SAFETY_FACTOR, "3.0", "margin on batch cost for the timeouts"),
          new ConfigKey(
              METRICS_PORT, "", "HTTP port of /healthz and /metrics; empty = off, 0 = any"),
          new ConfigKey(
              METRICS_BIND, "127.0.0.1", "address of that server; 0.0.0.0 = all (in a pod)"),
          new ConfigKey(SERDE_FORMAT, "single-object", "values written: single-object | registry"),
          new ConfigKey(
              SCHEMA_REGISTRY_URL, "", "schema registry (Confluent API) URL; registry mode"));

  private static final Set<String> OUR_KEYS =
      Set.copyOf(KEYS.stream().map(ConfigKey::name).toList());
  private static final Set<String> MODES = Set.of("greedy", "vote", "reflect");
  private static final Set<String> DEVICES = Set.of("cpu", "cuda");
  private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  /** Validates every field; the message names the key, the value and the fix. */
  public AppConfig {
    requireText(APPLICATION_ID, applicationId);
    requireText(BOOTSTRAP_SERVERS, bootstrapServers);
    requireTopic(TOPIC_INPUT, inputTopic);
    requireTopic(TOPIC_OUTPUT, outputTopic);
    requireTopic(TOPIC_DLQ, dlqTopic);
    if (inputTopic.equals(outputTopic) || inputTopic.equals(dlqTopic)) {
      throw invalid(TOPIC_INPUT, inputTopic, "the input topic must differ from output and dlq");
    }
    if (outputTopic.equals(dlqTopic)) {
      throw invalid(TOPIC_DLQ, dlqTopic, "the dlq topic must differ from the output topic");
    }
    if (batchSize < 1 || batchSize > 4096) {
      throw invalid(
          BATCH_SIZE,
          batchSize,
          "use a whole number of pairs per judge call in [1, 4096] (the Kafka producer's byte"
              + " batch size is producer.batch.size)");
    }
    requireRange(BATCH_MAX_WAIT_MS, batchMaxWaitMs, 1, 3_600_000);
    // The buffer's changelog holds the record and its decoded pair (about twice its size): at 4 MiB
    // that is already above the broker's default max.message.bytes (1 MiB); see docs/pipeline.md.
    requireRange(INPUT_MAX_RECORD_BYTES, maxRecordBytes, 1024, 4 * 1024 * 1024);
    requireRange(DUPLICATES_RETENTION_MS, duplicatesRetentionMs, 60_000, 365L * 86_400_000);
    requireRange(POISON_MAX_ATTEMPTS, poisonMaxAttempts, 1, 100);
    groups = Objects.requireNonNull(groups, "groups");
    if (groups.enabled()) {
      requireTopic(TOPIC_GROUPS_INPUT, groups.inputTopic());
      requireTopic(TOPIC_GROUPS_OUTPUT, groups.outputTopic());
      Set<String> others = Set.of(inputTopic, outputTopic, dlqTopic);
      if (others.contains(groups.inputTopic()) || others.contains(groups.outputTopic())) {
        throw invalid(
            TOPIC_GROUPS_INPUT,
            groups.inputTopic(),
            "the group topics must differ from each other and from the pair topics");
      }
      if (groups.inputTopic().equals(groups.outputTopic())) {
        throw invalid(TOPIC_GROUPS_OUTPUT, groups.outputTopic(), "must differ from the input");
      }
    }
    requireRange(GROUP_MAX_SIZE, groups.maxSize(), 2, 1024);
    requireRange(JUDGE_MAX_PROMPT_TOKENS, maxPromptTokens, 1, 1_000_000);
    if (judgeDir == null) {
      throw invalid(JUDGE_DIR, null, "set it to the judge model directory");
    }
    judgeMode = requireOneOf(JUDGE_MODE, judgeMode, MODES);
    // vote and reflect show half the samples in each response order: at least one of each
    if (judgeSamples != 0) { // 0: the model's judge.json decides
      requireRange(JUDGE_SAMPLES, judgeSamples, judgeMode.equals("greedy") ? 1 : 2, 64);
    }
    if (!Double.isNaN(judgeTemperature) && !(judgeTemperature >= 0.0 && judgeTemperature <= 10.0)) {
      throw invalid(JUDGE_TEMPERATURE, judgeTemperature, "use a number in [0, 10], e.g. 1.0");
    }
    inferenceDevice = requireOneOf(INFERENCE_DEVICE, inferenceDevice, DEVICES);
    requireRange(INFERENCE_INTRA_OP_THREADS, intraOpThreads, 0, 1024);
    requireRange(INFERENCE_MAX_BATCH_ROWS, maxBatchRows, 0, 1 << 16);
    stateDir = stateDir == null || stateDir.isBlank() ? null : stateDir;
    requireRange(JUDGE_PAIR_COST_MS, pairCostMs, 1, 3_600_000);
    if (!(costSafetyFactor >= 1.0 && costSafetyFactor <= 100.0)) {
      throw invalid(JUDGE_COST_SAFETY_FACTOR, costSafetyFactor, "use a number in [1, 100]");
    }
    if (metricsPort < -1 || metricsPort > 65535) {
      throw invalid(METRICS_PORT, metricsPort, "use a port in [0, 65535], or leave it empty (off)");
    }
    requireText(METRICS_BIND, metricsBind);
    kafkaProperties = Map.copyOf(kafkaProperties == null ? Map.of() : kafkaProperties);
    wireSettings = Map.copyOf(wireSettings == null ? Map.of() : wireSettings);
    try {
      WireFormat.validate(wireSettings);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Invalid wire format settings: " + e.getMessage(), e);
    }
    for (String key : kafkaProperties.keySet()) {
      if (OUR_KEYS.contains(key)) {
        throw invalid(key, kafkaProperties.get(key), "set it as a field, not a Kafka property");
      }
    }
  }

  private static GroupSettings groupSettings(Map<String, String> values) {
    GroupStrategy strategy;
    try {
      strategy = GroupStrategy.parse(values.get(GROUP_STRATEGY));
    } catch (IllegalArgumentException e) {
      throw invalid(GROUP_STRATEGY, values.get(GROUP_STRATEGY), "use round-robin, anchor or swiss");
    }
    return new GroupSettings(
        parseBoolean(values, GROUPS_ENABLED),
        values.get(TOPIC_GROUPS_INPUT),
        values.get(TOPIC_GROUPS_OUTPUT),
        strategy,
        parse(values, GROUP_MAX_SIZE, Integer::parseInt, "a whole number of responses, e.g. 64"),
        parseBoolean(values, GROUP_INCLUDE_ANALYSIS));
  }

  private static boolean parseBoolean(Map<String, String> values, String key) {
    String value = values.get(key).toLowerCase(Locale.ROOT);
    if (!value.equals("true") && !value.equals("false")) {
      throw invalid(key, values.get(key), "use true or false");
    }
    return value.equals("true");
  }

  /** The defaults, with no file. */
  public static AppConfig defaults() {
    return fromProperties(new Properties());
  }

  /** Loads a properties file (UTF-8); missing keys take their defaults. */
  public static AppConfig load(Path file) {
    return fromProperties(ConfigValues.read(file));
  }

  /** Builds the config from properties; missing keys take their defaults. */
  public static AppConfig fromProperties(Properties properties) {
    Map<String, String> values = ConfigValues.defaults(KEYS);
    Map<String, String> kafka = new LinkedHashMap<>();
    Map<String, String> wire = new LinkedHashMap<>();
    for (String name : properties.stringPropertyNames()) {
      String value = properties.getProperty(name).trim();
      if (WireFormat.isWireKey(name)) {
        wire.put(name, value);
      } else {
        (OUR_KEYS.contains(name) ? values : kafka).put(name, value);
      }
    }
    return new AppConfig(
        values.get(APPLICATION_ID),
        values.get(BOOTSTRAP_SERVERS),
        values.get(TOPIC_INPUT),
        values.get(TOPIC_OUTPUT),
        values.get(TOPIC_DLQ),
        parse(values, BATCH_SIZE, Integer::parseInt, "a whole number of pairs, e.g. 16"),
        parse(values, BATCH_MAX_WAIT_MS, Long::parseLong, "milliseconds, e.g. 2000"),
        parse(values, INPUT_MAX_RECORD_BYTES, Integer::parseInt, "bytes, e.g. 262144"),
        parse(values, DUPLICATES_RETENTION_MS, Long::parseLong, "milliseconds, e.g. 86400000"),
        parse(values, POISON_MAX_ATTEMPTS, Integer::parseInt, "a whole number, e.g. 3"),
        groupSettings(values),
        parse(values, JUDGE_MAX_PROMPT_TOKENS, Integer::parseInt, "a token count, e.g. 352"),
        Path.of(values.get(JUDGE_DIR)),
        values.get(JUDGE_MODE),
        values.get(JUDGE_SAMPLES).isEmpty()
            ? 0
            : parse(values, JUDGE_SAMPLES, Integer::parseInt, "a whole number, e.g. 8"),
        values.get(JUDGE_TEMPERATURE).isEmpty()
            ? Double.NaN
            : parse(values, JUDGE_TEMPERATURE, Double::parseDouble, "a number, e.g. 1.0"),
        values.get(INFERENCE_DEVICE),
        parse(values, INFERENCE_INTRA_OP_THREADS, Integer::parseInt, "a thread count, e.g. 4"),
        parse(values, INFERENCE_MAX_BATCH_ROWS, Integer::parseInt, "a row count, e.g. 64"),
        values.get(STATE_DIR),
        parse(values, JUDGE_PAIR_COST_MS, Long::parseLong, "milliseconds, e.g. 2000"),
        parse(values, JUDGE_COST_SAFETY_FACTOR, Double::parseDouble, "a number, e.g. 3.0"),
        values.get(METRICS_PORT).isEmpty()
            ? -1
            : parse(values, METRICS_PORT, Integer::parseInt, "a port number, e.g. 8080"),
        values.get(METRICS_BIND),
        parseBoolean(values, SCORING_OVERLAP),
        kafka,
        wire);
  }

  /**
   * A copy with a measured per-pair cost (e.g. from a warm-up batch at start-up), so the derived
   * timeouts follow the real judge on the real device rather than the configured guess.
   */
  public AppConfig withPairCostMs(long measuredPairCostMs) {
    return with(measuredPairCostMs, stateDir);
  }

  /** A copy with this Kafka Streams state directory (the one the instance claimed). */
  public AppConfig withStateDir(String dir) {
    return with(pairCostMs, dir);
  }

  private AppConfig with(long newPairCostMs, String newStateDir) {
    return new AppConfig(
        applicationId,
        bootstrapServers,
        inputTopic,
        outputTopic,
        dlqTopic,
        batchSize,
        batchMaxWaitMs,
        maxRecordBytes,
        duplicatesRetentionMs,
        poisonMaxAttempts,
        groups,
        maxPromptTokens,
        judgeDir,
        judgeMode,
        judgeSamples,
        judgeTemperature,
        inferenceDevice,
        intraOpThreads,
        maxBatchRows,
        newStateDir,
        newPairCostMs,
        costSafetyFactor,
        metricsPort,
        metricsBind,
        scoringOverlap,
        kafkaProperties,
        wireSettings);
  }

  /**
   * The wire format of the topics' values, with a new registry client when one is configured: call
   * once per app and share the result.
   */
  public WireFormat wireFormat() {
    return WireFormat.from(wireSettings);
  }

  /** Topics, batch shape and token budget of the scoring topology. */
  public TopologySettings topologySettings() {
    return new TopologySettings(
        inputTopic,
        outputTopic,
        dlqTopic,
        batchSize,
        batchMaxWaitMs,
        maxPromptTokens,
        maxRecordBytes,
        duplicatesRetentionMs,
        poisonMaxAttempts,
        groups);
  }

  /**
   * What the user set of the judge's scoring options (mode, samples, temperature); unset samples
   * (0) and temperature (NaN) are resolved from the model's judge.json by {@code JudgeSettings}.
   */
  /**
   * Bootstrap servers and every Kafka key of the config (security settings among them): what a
   * plain client of the app's cluster needs, e.g. the start-up check.
   */
  public Map<String, Object> kafkaClientConfig() {
    Map<String, Object> config = new HashMap<>(kafkaProperties);
    config.put(BOOTSTRAP_SERVERS, bootstrapServers);
    return config;
  }

  /** The topics {@code run} reads and writes, each with the key that names it. */
  public List<KafkaPreflight.Need> topicsNeeded() {
    List<KafkaPreflight.Need> needs = new ArrayList<>();
    needs.add(new KafkaPreflight.Need(inputTopic, TOPIC_INPUT));
    needs.add(new KafkaPreflight.Need(outputTopic, TOPIC_OUTPUT));
    needs.add(new KafkaPreflight.Need(dlqTopic, TOPIC_DLQ));
    if (groups.enabled()) {
      needs.add(new KafkaPreflight.Need(groups.inputTopic(), TOPIC_GROUPS_INPUT));
      needs.add(new KafkaPreflight.Need(groups.outputTopic(), TOPIC_GROUPS_OUTPUT));
    }
    return needs;
  }

  public JudgeOptions judgeOptions() {
    return new JudgeOptions(JudgeOptions.Mode.parse(judgeMode), judgeSamples, judgeTemperature);
  }

  /** How the judge's model runs (device, threads, batch rows; CUDA device 0). */
  public InferenceOptions inferenceOptions() {
    InferenceOptions.Device device =
        InferenceOptions.Device.valueOf(inferenceDevice.toUpperCase(Locale.ROOT));
    return new InferenceOptions(device, intraOpThreads, 0, maxBatchRows);
  }

  /** Wall time one full batch may take, with the safety factor: what the timeouts must cover. */
  public long batchBudgetMs() {
    return (long) Math.ceil(batchSize * (double) pairCostMs * costSafetyFactor);
  }

  /**
   * The most scoring one transaction may hold: one batch (the budget) and, if the batch call fails
   * as a whole, its pair-by-pair retry (about the same again). At most one batch is scored per
   * transaction, whatever the partition count ({@code CommitBudget}), so this bounds every
   * transaction of the stream thread.
   */
  public long transactionWorkMs() {
    return 2 * batchBudgetMs();
  }

  /** The Kafka Streams settings with the why of each of ours, checked against the batch budget. */
  public StreamsSettings streamsSettings() {
    return StreamsSettings.of(this);
  }

  /** Shorthand for {@code streamsSettings().properties()}. */
  public Properties streamsProperties() {
    return streamsSettings().properties();
  }

  private static void requireText(String key, String value) {
    if (value == null || value.isBlank()) {
      throw invalid(key, value, "set it to a non-empty value");
    }
  }

  private static void requireTopic(String key, String value) {
    if (value == null || !TOPIC_NAME.matcher(value).matches()) {
      throw invalid(key, value, "use 1..249 characters of [a-zA-Z0-9._-]");
    }
  }

  private static String requireOneOf(String key, String value, Set<String> allowed) {
    String normalized = value == null ? null : value.trim().toLowerCase(Locale.ROOT);
    if (normalized == null || !allowed.contains(normalized)) {
      throw invalid(key, value, "use one of " + allowed.stream().sorted().toList());
    }
    return normalized;
  }
}
