package io.rewardstream.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.app.AppConfig;
import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.it.KafkaClusterExtension;
import io.rewardstream.it.pipeline.Pipelines.Topics;
import io.rewardstream.schemas.AvroSerdes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record that kills the scoring process every time it is scored (a child JVM whose judge halts
 * the JVM on it: {@link HaltingJudgeAppForTests}), restarted after each death the way an
 * orchestrator would: after {@code poison.max.attempts} (3) deaths with it in flight it is
 * dead-lettered POISON, its batch-mates are scored (each once), and the app stays up.
 */
class PoisonRecordIT {

  private static final Logger log = LoggerFactory.getLogger(PoisonRecordIT.class);
  private static final String MARKER = "HALT-THE-JUDGE";
  private static final int PAIRS = 10;
  private static final int POISON = 2;

  @RegisterExtension
  static final KafkaClusterExtension kafka = KafkaClusterExtension.fromSystemProperties();

  @Test
  void aRecordThatKillsTheProcessEveryTimeIsDeadLetteredPoisonAfterThreeAttempts() {
    // Step 1: one partition, batches of 4; pair 2 (in the first batch) kills the judge's process.
    Topics topics = Topics.create(kafka, "poison", 1);
    Path dir = Pipelines.tempDir("poison");
    AppConfig config =
        Pipelines.config(kafka, "poison-" + System.nanoTime(), topics, 4, dir.resolve("state"));
    assertThat(config.poisonMaxAttempts()).isEqualTo(3); // the default
    Path file = Pipelines.writeConfig(dir, config);
    List<RolloutPair> pairs = new ArrayList<>(Pipelines.heldoutPairs("poison", PAIRS));
    RolloutPair poison = pairs.get(POISON);
    poison.setPrompt(poison.getPrompt() + " " + MARKER);
    Pipelines.produce(kafka, topics.input(), Pipelines.raw(pairs));

    // Step 2: run, and restart after every death, until every pair has an answer.
    int deaths = 0;
    List<ConsumerRecord<String, RewardResult>> rewards = List.of();
    List<ConsumerRecord<String, DeadLetter>> letters = List.of();
    for (int run = 1; run <= 6; run++) {
      try (AppProcess app =
          AppProcess.start(
              dir.resolve("run-" + run + ".log"),
              HaltingJudgeAppForTests.class.getName(),
              file.toString(),
              MARKER)) {
        long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (app.alive() && System.nanoTime() < end) {
          rewards =
              Pipelines.readAllCommitted(
                  kafka, topics.output(), AvroSerdes.rewardResult().deserializer());
          letters =
              Pipelines.readAllCommitted(
                  kafka, topics.dlq(), AvroSerdes.deadLetter().deserializer());
          if (rewards.size() + letters.size() >= PAIRS) {
            break;
          }
          Pipelines.sleep(500);
        }
        if (!app.alive()) {
          assertThat(app.logText()).contains("HALTING on " + poison.getRolloutId());
          deaths++;
          log.info("run {} died (status {}) on the poison pair", run, app.exitValue());
          continue;
        }
        assertThat(rewards.size() + letters.size()).as("answers in run %d", run).isEqualTo(PAIRS);
        assertThat(app.stop(Duration.ofSeconds(60))).isIn(0, 143);
        break;
      }
    }

    // Step 3: three deaths, then POISON for the poison pair, one reward for each of the others.
    assertThat(deaths).isEqualTo(3);
    assertThat(letters)
        .singleElement()
        .satisfies(
            record -> {
              DeadLetter letter = record.value();
              assertThat(letter.getRolloutId()).isEqualTo(poison.getRolloutId());
              assertThat(letter.getReasonCode()).isEqualTo(DeadLetterReason.POISON);
              assertThat(letter.getReason()).contains("3 attempts");
            });
    Map<String, RewardResult> byId = Pipelines.byUniqueKey(rewards);
    assertThat(byId.keySet())
        .isEqualTo(
            pairs.stream()
                .map(RolloutPair::getRolloutId)
                .filter(id -> !id.equals(poison.getRolloutId()))
                .collect(Collectors.toSet()));
  }
}
