package io.rewardstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewardstream.inference.InferenceOptions;
import io.rewardstream.judge.JudgeOptions;
import io.rewardstream.topology.DeadLetterProcessingExceptionHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppConfigTest {

  private static AppConfig config(String... keyValues) {
    Properties properties = new Properties();
    for (int i = 0; i < keyValues.length; i += 2) {
      properties.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return AppConfig.fromProperties(properties);
  }

  @Test
  void defaults() {
    AppConfig config = AppConfig.defaults();

    assertThat(config.applicationId()).isEqualTo("rewardstream");
    assertThat(config.bootstrapServers()).isEqualTo("localhost:9092");
    assertThat(config.inputTopic()).isEqualTo("rollouts");
    assertThat(config.outputTopic()).isEqualTo("rewards");
    assertThat(config.dlqTopic()).isEqualTo("rollouts-dlq");
    assertThat(config.batchSize()).isEqualTo(16);
    assertThat(config.batchMaxWaitMs()).isEqualTo(2000);
    assertThat(config.maxPromptTokens()).isEqualTo(352);
    assertThat(config.judgeDir()).isEqualTo(Path.of("models/judge-tiny"));
    assertThat(config.judgeMode()).isEqualTo("reflect");
    // unset: the model's judge.json decides (JudgeSettings)
    assertThat(config.judgeSamples()).isZero();
    assertThat(config.judgeTemperature()).isNaN();
    assertThat(config.inferenceDevice()).isEqualTo("cpu");
    assertThat(config.intraOpThreads()).isZero();
    assertThat(config.stateDir()).isNull();
    assertThat(config.pairCostMs()).isEqualTo(2000);
    assertThat(config.costSafetyFactor()).isEqualTo(3.0);
    assertThat(config.kafkaProperties()).isEmpty();
  }

  @Test
  void loadsAFileAndPassesUnknownKeysToKafka(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("app.properties");
    Files.writeString(
        file,
        String.join(
            "\n",
            "batch.size=4",
            "judge.mode=GREEDY",
            "inference.device=cuda",
            "state.dir=/var/lib/rs",
            "commit.interval.ms=200",
            "producer.compression.type=zstd"));

    AppConfig config = AppConfig.load(file);

    assertThat(config.batchSize()).isEqualTo(4);
    assertThat(config.judgeMode()).isEqualTo("greedy");
    assertThat(config.inferenceDevice()).isEqualTo("cuda");
    assertThat(config.stateDir()).isEqualTo("/var/lib/rs");
    assertThat(config.kafkaProperties())
        .containsOnlyKeys("commit.interval.ms", "producer.compression.type");
    Properties streams = config.streamsProperties();
    assertThat(streams.getProperty("commit.interval.ms")).isEqualTo("200");
    assertThat(streams.getProperty("producer.compression.type")).isEqualTo("zstd");
    assertThat(streams.getProperty("state.dir")).isEqualTo("/var/lib/rs");
    // our scoring batch.size must never reach the producer as its byte batch size
    assertThat(streams).doesNotContainKey("batch.size");
  }

  @Test
  void invalidValuesNameTheKeyTheValueAndTheFix() {
    assertThatThrownBy(() -> config("batch.size", "zero"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batch.size=zero")
        .hasMessageContaining("whole number");
    assertThatThrownBy(() -> config("batch.size", "0"))
        .hasMessageContaining("batch.size=0")
        .hasMessageContaining("[1, 4096]");
    assertThatThrownBy(() -> config("judge.mode", "best"))
        .hasMessageContaining("judge.mode=best")
        .hasMessageContaining("reflect");
    assertThatThrownBy(() -> config("inference.device", "tpu"))
        .hasMessageContaining("inference.device=tpu");
    assertThatThrownBy(() -> config("judge.temperature", "-1"))
        .hasMessageContaining("judge.temperature=-1.0");
    assertThatThrownBy(() -> config("topic.output", "rollouts"))
        .hasMessageContaining("topic.input=rollouts");
    assertThatThrownBy(() -> config("topic.dlq", "bad topic"))
        .hasMessageContaining("topic.dlq=bad topic");
    assertThatThrownBy(() -> config("application.id", " ")).hasMessageContaining("application.id");
    assertThatThrownBy(() -> config("judge.cost.safety.factor", "0.5"))
        .hasMessageContaining("judge.cost.safety.factor=0.5");
  }

  @Test
  void streamsPropertiesAreExactlyOnceWithTimeoutsDerivedFromTheBatch() {
    // 16 pairs x 2000 ms x 3.0 = 96 s per batch
    AppConfig config = AppConfig.defaults();
    assertThat(config.batchBudgetMs()).isEqualTo(96_000);

    Properties streams = config.streamsProperties();

    assertThat(streams.getProperty("processing.guarantee")).isEqualTo("exactly_once_v2");
    assertThat(streams.getProperty("application.id")).isEqualTo("rewardstream");
    assertThat(streams.getProperty("bootstrap.servers")).isEqualTo("localhost:9092");
    // a transaction holds one batch and its pair-by-pair retry: 2 x 96 s
    assertThat(config.transactionWorkMs()).isEqualTo(192_000);
    assertThat(streams.getProperty("transaction.timeout.ms")).isEqualTo("192000");
    assertThat(streams.getProperty("max.poll.interval.ms")).isEqualTo("384000");
    assertThat(streams.getProperty("processing.exception.handler"))
        .isEqualTo(DeadLetterProcessingExceptionHandler.class.getName());
    assertThat(streams.getProperty(DeadLetterProcessingExceptionHandler.DLQ_TOPIC_CONFIG))
        .isEqualTo("rollouts-dlq");
    assertThat(streams).doesNotContainKey("state.dir");
  }

  @Test
  void bigBatchesGetLongerTimeoutsAndSmallOnesKeepTheFloors() {
    Properties big = config("batch.size", "64", "judge.pair.cost.ms", "1000").streamsProperties();
    assertThat(big.getProperty("transaction.timeout.ms")).isEqualTo("384000");
    assertThat(big.getProperty("max.poll.interval.ms")).isEqualTo("768000");

    Properties small = config("batch.size", "2", "judge.pair.cost.ms", "100").streamsProperties();
    assertThat(small.getProperty("transaction.timeout.ms")).isEqualTo("10000");
    assertThat(small.getProperty("max.poll.interval.ms")).isEqualTo("300000");
  }

  @Test
  void aMeasuredPairCostReplacesTheConfiguredOne() {
    AppConfig measured = AppConfig.defaults().withPairCostMs(5000);

    assertThat(measured.batchBudgetMs()).isEqualTo(240_000);
    assertThat(measured.streamsProperties().getProperty("transaction.timeout.ms"))
        .isEqualTo("480000");
  }

  @Test
  void theFileOverridesOurDefaultsAndIsMarkedSo() {
    StreamsSettings settings =
        config("transaction.timeout.ms", "250000", "processing.guarantee", "at_least_once")
            .streamsSettings();

    assertThat(settings.properties().getProperty("transaction.timeout.ms")).isEqualTo("250000");
    assertThat(settings.properties().getProperty("processing.guarantee"))
        .isEqualTo("at_least_once");
    assertThat(settings.settings())
        .filteredOn(s -> s.key().equals("transaction.timeout.ms"))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.overridden()).isTrue();
              assertThat(s.value()).isEqualTo("250000");
              assertThat(s.toString()).contains("from the config file").contains("96000 ms");
            });
  }

  @Test
  void everySettingSaysWhy() {
    assertThat(AppConfig.defaults().streamsSettings().settings())
        .isNotEmpty()
        .allSatisfy(s -> assertThat(s.why()).isNotBlank())
        .extracting(StreamsSettings.Setting::key)
        .contains(
            "application.id",
            "bootstrap.servers",
            "processing.guarantee",
            "transaction.timeout.ms",
            "max.poll.interval.ms");
  }

  @Test
  void refusesATransactionTimeoutABatchCannotFinishIn() {
    AppConfig config = config("transaction.timeout.ms", "30000");

    assertThatThrownBy(config::streamsProperties)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("transaction.timeout.ms=30000")
        .hasMessageContaining("192000");
  }

  @Test
  void refusesAPrefixedOverrideToo() {
    AppConfig config =
        config("transaction.timeout.ms", "200000", "producer.transaction.timeout.ms", "1000");

    assertThatThrownBy(config::streamsProperties)
        .hasMessageContaining("producer.transaction.timeout.ms=1000");
  }

  @Test
  void metricsPortIsOffUnlessSet() {
    assertThat(AppConfig.defaults().metricsPort()).isEqualTo(-1);
    assertThat(config("metrics.port", "8080").metricsPort()).isEqualTo(8080);
    assertThat(config("metrics.port", "8080").kafkaProperties()).isEmpty();
    assertThatThrownBy(() -> config("metrics.port", "http"))
        .hasMessage("Invalid config metrics.port=http: expected a port number, e.g. 8080");
    assertThatThrownBy(() -> config("metrics.port", "70000"))
        .hasMessageContaining("metrics.port=70000");
  }

  @Test
  void runsOneStreamThreadAndRefusesMore() {
    assertThat(AppConfig.defaults().streamsProperties()).containsEntry("num.stream.threads", "1");

    assertThatThrownBy(() -> config("num.stream.threads", "4").streamsProperties())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("num.stream.threads=4")
        .hasMessageContaining("not thread-safe");
  }

  @Test
  void refusesAPollIntervalUnderFourTimesTheBatch() {
    AppConfig config = config("main.consumer.max.poll.interval.ms", "300000");

    assertThatThrownBy(config::streamsProperties)
        .hasMessageContaining("main.consumer.max.poll.interval.ms=300000")
        .hasMessageContaining("384000");
  }

  @Test
  void refusesDerivingATimeoutAboveTheBrokersDefaultLimit() {
    AppConfig config = config("batch.size", "256", "judge.pair.cost.ms", "5000");

    assertThatThrownBy(config::streamsProperties)
        .hasMessageContaining("transaction.timeout.ms=7680000")
        .hasMessageContaining("transaction.max.timeout.ms");
    // unless the operator raised the broker limit and says so
    Properties ok =
        config(
                "batch.size", "256",
                "judge.pair.cost.ms", "5000",
                "transaction.timeout.ms", "8000000",
                "max.poll.interval.ms", "16000000")
            .streamsProperties();
    assertThat(ok.getProperty("transaction.timeout.ms")).isEqualTo("8000000");
  }

  @Test
  void voteAndReflectNeedASampleInEachOrder() {
    assertThatThrownBy(() -> config("judge.samples", "1"))
        .hasMessageContaining("judge.samples=1")
        .hasMessageContaining("[2, 64]");
    assertThat(config("judge.mode", "greedy", "judge.samples", "1").judgeSamples()).isEqualTo(1);
  }

  @Test
  void buildsTheJudgeAndInferenceOptions() {
    AppConfig config =
        config(
            "judge.mode", "vote",
            "judge.samples", "6",
            "judge.temperature", "0.7",
            "inference.device", "CUDA",
            "inference.intra.op.threads", "4");

    assertThat(config.judgeOptions()).isEqualTo(new JudgeOptions(JudgeOptions.Mode.VOTE, 6, 0.7));
    assertThat(config.inferenceOptions())
        .isEqualTo(new InferenceOptions(InferenceOptions.Device.CUDA, 4, 0));
  }

  @Test
  void maxBatchRowsReachesTheEngineAndANegativeOneIsRefusedByName() {
    assertThat(config("inference.max.batch.rows", "32").inferenceOptions().maxBatchRows())
        .isEqualTo(32);
    assertThat(config().inferenceOptions().maxBatchRows()).isZero();
    assertThatThrownBy(() -> config("inference.max.batch.rows", "-1"))
        .hasMessageContaining("inference.max.batch.rows");
  }
}
