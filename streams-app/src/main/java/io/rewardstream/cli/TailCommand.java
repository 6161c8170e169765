package io.rewardstream.cli;

import io.rewardstream.kafka.KafkaConnection;
import io.rewardstream.schemas.WireFormat;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rewardstream tail}: committed records of a RewardStream topic, one readable line each. */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    description = {
      "Prints the records of a RewardStream topic (rewards, rollouts-dlq, rollouts, reward-stats,"
          + " reward-drift-alerts), one line each, as they are committed (read_committed: results"
          + " of an aborted batch never show). The record type is recognised from its schema"
          + " fingerprint, so renamed topics work too.",
      "Each line starts with topic-partition@offset.",
      "Example: ./rewardstream tail --topic rewards --from-beginning --max 10"
    })
final class TailCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(
      names = "--topic",
      paramLabel = "TOPIC",
      defaultValue = "rewards",
      description = "Topic to read (default: ${DEFAULT-VALUE}).")
  String topic;

  @Mixin KafkaMixin kafka;

  @Option(
      names = "--from-beginning",
      description = "Start at the oldest record instead of only showing new ones.")
  boolean fromBeginning;

  @Option(
      names = "--max",
      paramLabel = "N",
      defaultValue = "0",
      description = "Stop after N records (default: 0 = run until Ctrl-C).")
  long max;

  @Option(
      names = "--idle-timeout",
      paramLabel = "SECONDS",
      defaultValue = "0",
      description = "Stop when no record arrived for this long (default: 0 = never).")
  long idleTimeoutSeconds;

  @Override
  public Integer call() {
    if (max < 0 || idleTimeoutSeconds < 0) {
      throw new IllegalArgumentException("--max and --idle-timeout must be >= 0");
    }
    PrintWriter out = spec.commandLine().getOut();
    long printed = 0;
    long lastRecord = System.nanoTime();
    KafkaConnection connection = kafka.connection(topic, "--topic");
    WireFormat wire = connection.wireFormat();
    try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.committedReader(connection)) {
      KafkaClients.assignAll(consumer, List.of(topic), fromBeginning);
      while (max == 0 || printed < max) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          out.println(line(wire, record));
          lastRecord = System.nanoTime();
          if (++printed == max) {
            break;
          }
        }
        out.flush();
        if (idleTimeoutSeconds > 0
            && System.nanoTime() - lastRecord > Duration.ofSeconds(idleTimeoutSeconds).toNanos()) {
          break;
        }
      }
    }
    out.flush();
    return 0;
  }

  static String line(WireFormat wire, ConsumerRecord<byte[], byte[]> record) {
    return record.topic()
        + "-"
        + record.partition()
        + "@"
        + record.offset()
        + "  "
        + RecordLines.format(wire, record.topic(), record.value());
  }
}
