package io.rewardstream.cli;

import io.rewardstream.avro.RolloutGroup;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.kafka.KafkaConnection;
import io.rewardstream.schemas.Topic;
import io.rewardstream.schemas.Topics;
import io.rewardstream.schemas.WireFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rewardstream produce}: rollout pairs from a JSONL file onto the input topic. */
@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    description = {
      "Reads rollout pairs from a JSON Lines file and produces them as Avro RolloutPair records"
          + " (single-object encoding, key = rollout_id).",
      "One JSON object per line: rollout_id, prompt, response_a, response_b, policy_version"
          + " (required strings); group_id, reference_answer, metadata (object),"
          + " produced_at (epoch ms or ISO-8601), messages ([{role, content}]) optional.",
      "With --groups: rollout groups (Avro RolloutGroup, key = group_id) to rollout-groups:"
          + " group_id (or id), prompt, responses ([{response_id, text}] or [text, ...])"
          + " required; policy_version (default unversioned), reference_answer, metadata,"
          + " produced_at, messages optional. See docs/groups.md.",
      "The whole file is checked first: a bad line stops the command, naming the line and the"
          + " field, before anything is sent. See docs/pipeline.md.",
      "Examples: ./rewardstream produce --file rollouts.jsonl --bootstrap-servers localhost:9092",
      "          ./rewardstream produce --groups --file models/judge-tiny/heldout-groups8.jsonl"
    })
final class ProduceCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(names = "--file", required = true, paramLabel = "FILE", description = "JSONL input.")
  Path file;

  @Option(
      names = "--topic",
      paramLabel = "TOPIC",
      description = "Topic to produce to (default: rollouts, with --groups rollout-groups).")
  String topic;

  @Option(names = "--groups", description = "The file holds rollout groups, not pairs.")
  boolean groups;

  @Mixin KafkaMixin kafka;

  @Override
  public Integer call() throws Exception {
    if (topic == null) {
      topic = groups ? Topics.ROLLOUT_GROUPS.name() : Topics.ROLLOUTS.name();
    }
    if (groups) {
      return produceGroups();
    }
    List<RolloutPair> pairs = read(file);
    long start = System.nanoTime();
    KafkaConnection connection = kafka.connection(topic, "--topic");
    WireFormat wire = connection.wireFormat();
    String format = format(wire, Topics.ROLLOUTS.withName(topic));
    Serializer<RolloutPair> serializer = wire.rolloutPair().serializer();
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(connection)) {
      for (RolloutPair pair : pairs) {
        byte[] key = pair.getRolloutId().getBytes(StandardCharsets.UTF_8);
        acks.add(
            producer.send(new ProducerRecord<>(topic, key, serializer.serialize(topic, pair))));
      }
      for (int i = 0; i < acks.size(); i++) {
        await(acks.get(i), pairs.get(i));
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "produced %d rollout pairs from %s to %s in %d ms (%s)%n",
        pairs.size(), file, topic, (System.nanoTime() - start) / 1_000_000, format);
    out.flush();
    return 0;
  }

  private int produceGroups() throws InterruptedException {
    List<RolloutGroup> read;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      read = GroupJsonl.read(in, file.toString(), System.currentTimeMillis());
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("--file " + file + ": no such file");
    } catch (IOException e) {
      throw new IllegalArgumentException("--file " + file + ": " + e.getMessage(), e);
    }
    long start = System.nanoTime();
    KafkaConnection connection = kafka.connection(topic, "--topic");
    WireFormat wire = connection.wireFormat();
    String format = format(wire, Topics.ROLLOUT_GROUPS.withName(topic));
    Serializer<RolloutGroup> serializer = wire.rolloutGroup().serializer();
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(connection)) {
      for (RolloutGroup group : read) {
        byte[] key = group.getGroupId().getBytes(StandardCharsets.UTF_8);
        acks.add(
            producer.send(new ProducerRecord<>(topic, key, serializer.serialize(topic, group))));
      }
      for (int i = 0; i < acks.size(); i++) {
        await(acks.get(i), "group '" + read.get(i).getGroupId() + "'");
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "produced %d rollout groups from %s to %s in %d ms (%s)%n",
        read.size(), file, topic, (System.nanoTime() - start) / 1_000_000, format);
    out.flush();
    return 0;
  }

  /**
   * Registers the topic's schema before anything is sent (a refusal stops the command with the
   * registry's reason) and says which format is written.
   */
  private static String format(WireFormat wire, Topic<String, ? extends SpecificRecord> topic) {
    Map<String, Integer> ids = wire.prepare(List.of(topic));
    return ids.isEmpty()
        ? wire.format().text() + " format"
        : wire.format().text() + " format, schema id " + ids.values().iterator().next();
  }

  private void await(Future<RecordMetadata> ack, RolloutPair pair) throws InterruptedException {
    await(ack, "rollout '" + pair.getRolloutId() + "'");
  }

  private void await(Future<RecordMetadata> ack, String what) throws InterruptedException {
    try {
      ack.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "sending "
              + what
              + " to "
              + topic
              + " at "
              + kafka.bootstrapServers
              + " failed: "
              + e.getCause().getMessage(),
          e.getCause());
    }
  }

  static List<RolloutPair> read(Path file) {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return RolloutJsonl.read(in, file.toString(), System.currentTimeMillis());
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("--file " + file + ": no such file");
    } catch (IOException e) {
      throw new IllegalArgumentException("--file " + file + ": " + e.getMessage(), e);
    }
  }
}
