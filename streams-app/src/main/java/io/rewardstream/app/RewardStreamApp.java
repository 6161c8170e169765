package io.rewardstream.app;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.rewardstream.inference.LanguageModel;
import io.rewardstream.judge.Judge;
import io.rewardstream.judge.JudgeInfo;
import io.rewardstream.judge.ReflectiveJudge;
import io.rewardstream.kafka.KafkaPreflight;
import io.rewardstream.schemas.Topic;
import io.rewardstream.schemas.Topics;
import io.rewardstream.schemas.WireFormat;
import io.rewardstream.topology.CommitBudget;
import io.rewardstream.topology.DeadLetterProcessingExceptionHandler;
import io.rewardstream.topology.JudgeLane;
import io.rewardstream.topology.RewardTopology;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KafkaStreams.State;
import org.apache.logging.log4j.LogManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running RewardStream instance: the judge, the topology and the {@link KafkaStreams} client,
 * and their lifecycle.
 *
 * <p>Start-up: open the judge, measure its cost per pair with one warm-up batch ({@link
 * PairCostProbe}), derive the timeouts from that measurement, log every setting with its reason,
 * build the topology and start Kafka Streams.
 *
 * <p>Shutdown ({@link #close()}), in this order:
 *
 * <ol>
 *   <li>{@code KafkaStreams.close}, leaving the consumer group so other instances take the
 *       partitions at once. It waits for the stream thread to finish the call it is in: an
 *       in-flight batch either completes and commits, or (if the process dies first) its
 *       transaction is aborted; either way the pairs not yet scored stay in the changelogged buffer
 *       and are scored by whoever owns the partition next.
 *   <li>Then the judge, which frees the model's native memory. Never before: the stream thread may
 *       be inside the judge until close returns. If close times out (a batch slower than its
 *       budget), the judge is left open and the process exit reclaims it.
 * </ol>
 *
 * <p>Threads: the judge is not thread-safe, so the app runs exactly one stream thread (see {@link
 * StreamsSettings}); more throughput means more instances with the same {@code application.id}.
 */
public final class RewardStreamApp implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RewardStreamApp.class);

  /** Floor of the close timeout; the batch budget is used when it is longer. */
  static final Duration MIN_CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final AppConfig config;
  private final MeteredJudge judge;
  private final PrometheusMeterRegistry registry;
  private final KafkaStreams streams;
  private final KafkaStreamsMetrics streamsMetrics;
  private final StateDirectory stateDirectory;
  private final JudgeLane lane;
  private MetricsServer metricsServer;
  private final CompletableFuture<Void> running = new CompletableFuture<>();
  private final CompletableFuture<State> terminated = new CompletableFuture<>();
  private final AtomicLong rebalances = new AtomicLong();
  private boolean closed;

  private RewardStreamApp(
      AppConfig config,
      MeteredJudge judge,
      PrometheusMeterRegistry registry,
      StreamsSettings settings,
      StateDirectory stateDirectory,
      WireFormat wire) {
    this.config = config;
    this.stateDirectory = stateDirectory;
    this.judge = judge;
    this.registry = registry;
    // One batch per transaction over all partitions; the observer reports the commits to it.
    CommitBudget budget = CommitBudget.oneBatchPerCommit();
    this.lane = config.scoringOverlap() ? JudgeLane.over(judge) : null;
    TransactionObserver transactions = new TransactionObserver(budget);
    this.streams =
        new KafkaStreams(
            RewardTopology.build(config.topologySettings(), judge, budget, wire, lane),
            DeadLetterProcessingExceptionHandler.withWireFormat(settings.properties(), wire),
            transactions);
    transactions.bindTo(registry);
    streams.setUncaughtExceptionHandler(new ThreadFailurePolicy(Clock.systemUTC()));
    streams.setStateListener(this::onStateChange);
    this.streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    Gauge.builder(
            "rewardstream.streams.running",
            streams,
            s -> s.state().isRunningOrRebalancing() ? 1 : 0)
        .description("1 while Kafka Streams is RUNNING or REBALANCING")
        .register(registry);
    FunctionCounter.builder("rewardstream.streams.rebalances", rebalances, AtomicLong::get)
        .description(
            "times Kafka Streams went from RUNNING back to REBALANCING (a member joined or left,"
                + " or a task migrated after fencing)")
        .register(registry);
  }

  /**
   * Opens the judge named by the config and starts the app with it.
   *
   * @throws IllegalArgumentException for a configuration that cannot work (names key and value)
   */
  public static RewardStreamApp start(AppConfig config) {
    WireFormat wire = preflight(config);
    return prepare(config, openJudge(config), wire).launch();
  }

  /**
   * Before the judge loads (which takes seconds to minutes): the model directory has its files,
   * Kafka answers, accepts the credentials and has every topic the app reads and writes, and in
   * registry mode the registry accepts the schemas of the topics the app writes.
   *
   * @return the wire format, its schemas registered
   * @throws io.rewardstream.kafka.KafkaPreflightException naming the setting and the fix
   * @throws io.rewardstream.schemas.registry.RegistryRefusedException naming the subject and fix
   */
  public static WireFormat preflight(AppConfig config) {
    LanguageModel.checkDir(config.judgeDir()); // local and instant: before the network
    KafkaPreflight.check(
        config.kafkaClientConfig(), config.topicsNeeded(), KafkaPreflight.DEFAULT_TIMEOUT);
    return wireFormat(config);
  }

  /** The config's wire format, with the schemas of the topics written registered. */
  private static WireFormat wireFormat(AppConfig config) {
    WireFormat wire = config.wireFormat();
    List<Topic<String, ? extends SpecificRecord>> written = new ArrayList<>();
    written.add(Topics.REWARDS.withName(config.outputTopic()));
    written.add(Topics.ROLLOUTS_DLQ.withName(config.dlqTopic()));
    if (config.groups().enabled()) {
      written.add(Topics.GROUP_REWARDS.withName(config.groups().outputTopic()));
    }
    Map<String, Integer> ids = wire.prepare(written);
    LOG.info("wire format: {}", wire.describe(ids));
    return wire;
  }

  /**
   * Starts the app with this judge; the app owns the judge from now on and closes it, also when
   * start-up fails.
   */
  public static RewardStreamApp start(AppConfig configured, Judge judge) {
    WireFormat wire;
    try {
      wire = wireFormat(configured);
    } catch (RuntimeException e) {
      judge.close();
      throw e;
    }
    return prepare(configured, judge, wire).launch();
  }

  /**
   * Opens the judge {@code run} scores with: the same {@code ReflectiveJudge.open} path as every
   * other command, with the options the config set.
   *
   * @param config the app config
   * @return the judge, owned by the caller
   */
  public static Judge openJudge(AppConfig config) {
    LOG.info(
        "opening judge {} ({} mode, {} device)",
        LanguageModel.resolveDir(config.judgeDir()).toAbsolutePath().normalize(),
        config.judgeMode(),
        config.inferenceDevice());
    return ReflectiveJudge.open(
        config.judgeDir(), config.judgeOptions(), config.inferenceOptions());
  }

  /** Everything but starting Kafka Streams: warm-up, settings, topology, metrics endpoint. */
  private static RewardStreamApp prepare(AppConfig configured, Judge judge, WireFormat wire) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MeteredJudge metered = new MeteredJudge(Objects.requireNonNull(judge, "judge"), registry);
    StateDirectory state = null;
    try {
      state =
          configured.stateDir() == null
              ? StateDirectory.claimFree(StateDirectory.defaultRoot(configured.applicationId()))
              : StateDirectory.claimExactly(Path.of(configured.stateDir()));
      long pairCostMs = PairCostProbe.measureMs(metered);
      AppConfig config = configured.withPairCostMs(pairCostMs).withStateDir(state.dir().toString());
      StreamsSettings settings = config.streamsSettings();
      logStartup(configured, config, metered.info(), settings);
      return new RewardStreamApp(config, metered, registry, settings, state, wire);
    } catch (RuntimeException e) {
      metered.close();
      if (state != null) {
        state.close();
      }
      throw e;
    }
  }

  /** Starts the metrics endpoint and Kafka Streams; on failure releases everything. */
  private synchronized RewardStreamApp launch() {
    if (closed) {
      throw new IllegalStateException("shut down before Kafka Streams started");
    }
    try {
      startMetricsServer();
      streams.start();
      return this;
    } catch (RuntimeException e) {
      stopMetrics();
      streams.close(Duration.ZERO);
      if (lane != null) {
        lane.close();
      }
      judge.close();
      stateDirectory.close();
      throw e;
    }
  }

  /**
   * Runs until the JVM is asked to stop (SIGTERM, SIGINT) or Kafka Streams stops by itself: the
   * body of {@code rewardstream run}.
   *
   * @return the process exit status: 0 after a requested shutdown, 1 if the app failed
   */
  public static int runUntilShutdown(AppConfig config) {
    WireFormat wire = preflight(config);
    RewardStreamApp app = prepare(config, openJudge(config), wire);
    // Registered before Kafka Streams starts, so a SIGTERM at any moment after it closes in order.
    Thread hook = new Thread(() -> closeThenStopLogging(app), "rewardstream-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    app.launch();
    State end = app.awaitTermination();
    // Here either the hook is closing the app (SIGTERM) or Streams failed on its own.
    app.close();
    if (end == State.ERROR) {
      LOG.error("Kafka Streams stopped after a fatal error (see above); exiting with status 1");
      return 1;
    }
    return 0;
  }

  private void startMetricsServer() {
    if (config.metricsPort() >= 0) {
      metricsServer =
          MetricsServer.start(
              config.metricsBind(), config.metricsPort(), registry, streams::state, this::stuck);
      LOG.info("serving /healthz and /metrics on port {} (metrics.port)", metricsServer.port());
    }
  }

  /**
   * What is stuck, for /healthz, or null: a judge call running longer than a whole transaction may
   * take (a batch and its retry) cannot end well; the transaction has timed out and the instance
   * scores nothing until the call returns, so it is better restarted.
   */
  private String stuck() {
    Duration call = judge.currentCall();
    Duration limit = Duration.ofMillis(config.transactionWorkMs());
    if (call.compareTo(limit) <= 0) {
      return null;
    }
    return "a judge call has run for "
        + call.toSeconds()
        + " s, longer than a transaction may take ("
        + limit.toSeconds()
        + " s: 2 x the batch budget); the judge looks hung";
  }

  /** The port of /healthz and /metrics, or -1 when metrics.port is not set. */
  public int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.port();
  }

  private void stopMetrics() {
    if (metricsServer != null) {
      metricsServer.close();
    }
    streamsMetrics.close();
    registry.close();
  }

  /** The shutdown hook: close the app, then flush and stop Log4j (its own hook is disabled). */
  private static void closeThenStopLogging(RewardStreamApp app) {
    try {
      app.close();
    } finally {
      LogManager.shutdown();
    }
  }

  private static void logStartup(
      AppConfig configured, AppConfig config, JudgeInfo info, StreamsSettings settings) {
    LOG.info(
        "judge {} {} (model sha256 {}), {} mode: measured {} ms per pair (configured guess {} ms)",
        info.id(),
        info.version(),
        info.modelHash(),
        info.mode(),
        config.pairCostMs(),
        configured.pairCostMs());
    LOG.info(
        "{} -> {} (dead letters: {}), batches of {} pairs or {} ms; Kafka Streams settings:",
        config.inputTopic(),
        config.outputTopic(),
        config.dlqTopic(),
        config.batchSize(),
        config.batchMaxWaitMs());
    settings.settings().forEach(setting -> LOG.info("  {}", setting));
  }

  private void onStateChange(State newState, State oldState) {
    LOG.info("Kafka Streams {} -> {}", oldState, newState);
    if (oldState == State.RUNNING && newState == State.REBALANCING) {
      rebalances.incrementAndGet();
    }
    if (newState == State.RUNNING) {
      running.complete(null);
    } else if (newState == State.ERROR || newState == State.NOT_RUNNING) {
      terminated.complete(newState);
    }
  }

  /** The effective configuration: the given one with the measured pair cost. */
  public AppConfig config() {
    return config;
  }

  /** Kafka Streams' current state. */
  public State state() {
    return streams.state();
  }

  /** Stream tasks this instance runs now: one per input partition it owns. */
  public int activeTaskCount() {
    return streams.metadataForLocalThreads().stream().mapToInt(t -> t.activeTasks().size()).sum();
  }

  /**
   * Waits until Kafka Streams first reaches RUNNING (partitions assigned, buffer restored).
   *
   * @throws IllegalStateException if it stopped or did not get there in time
   */
  public void awaitRunning(Duration timeout) {
    CompletableFuture<Object> either = CompletableFuture.anyOf(running, terminated);
    try {
      either.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "Kafka Streams not RUNNING after " + timeout + " (state " + streams.state() + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for RUNNING", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("waiting for RUNNING failed", e);
    }
    if (terminated.isDone()) {
      throw new IllegalStateException("Kafka Streams stopped (" + terminated.join() + ")");
    }
  }

  /** Blocks until Kafka Streams stops (closed, or failed); returns NOT_RUNNING or ERROR. */
  public State awaitTermination() {
    return terminated.join();
  }

  /**
   * How long {@link #close()} waits for Kafka Streams: long enough for a batch (and its retry) to
   * finish.
   */
  Duration closeTimeout() {
    Duration budget = Duration.ofMillis(config.transactionWorkMs());
    return budget.compareTo(MIN_CLOSE_TIMEOUT) > 0 ? budget : MIN_CLOSE_TIMEOUT;
  }

  /** Closes Kafka Streams, then the judge (see the class comment). Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    // A batch in progress may finish (and commit) within the close timeout; when the judge is idle
    // (e.g. while Streams rebalances or restores) there is nothing to wait for but Streams itself.
    Duration timeout = judge.currentCall().isZero() ? MIN_CLOSE_TIMEOUT : closeTimeout();
    if (lane != null && !lane.drain(timeout)) {
      LOG.warn("the judge lane's batch was not forwarded within {}; it is scored again", timeout);
    }
    LOG.info(
        "stopping in state {}: closing Kafka Streams (up to {}), then the judge",
        streams.state(),
        timeout);
    boolean stopped =
        streams.close(
            CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(timeout));
    terminated.complete(streams.state());
    stopMetrics();
    if (lane != null) {
      lane.close(); // the batch it scores (if any) ends first; its verdicts are dropped
    }
    boolean judgeClosed;
    try {
      // no judge call starts from now on: a stream thread still running aborts instead
      judgeClosed = judge.closeWhenIdle(stopped ? Duration.ZERO : Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      judgeClosed = false;
    }
    if (!stopped) {
      LOG.error(
          "Kafka Streams did not stop within {} (state {}); {}",
          timeout,
          streams.state(),
          judgeClosed
              ? "the judge was idle and is closed; Streams' threads end with the process"
              : "a judge call is still running, so the judge is left open; its memory is freed"
                  + " when the process exits");
      return;
    }
    LOG.info("stopped; scored {}", judge.summary());
    stateDirectory.close();
  }
}
