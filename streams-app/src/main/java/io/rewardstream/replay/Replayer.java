package io.rewardstream.replay;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.judge.Judge;
import io.rewardstream.kafka.KafkaConnection;
import io.rewardstream.kafka.TopicCreator;
import io.rewardstream.schemas.Topic;
import io.rewardstream.schemas.Topics;
import io.rewardstream.schemas.WireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-scores a bounded range of the input topic with a given judge and writes the results to an
 * output topic, exactly once as seen by read_committed consumers, then returns.
 *
 * <p>How a rerun stays free of duplicates: the producer's {@code transactional.id} is derived from
 * the output topic, so {@code initTransactions()} first fences any earlier run into that topic and
 * completes or aborts its last transaction. Only then are the output's committed rollout ids read
 * back; pairs already there are skipped. Each batch's results (and dead letters) are committed in
 * one transaction, so a crash leaves whole batches only, and the next run scores exactly the rest.
 */
public final class Replayer {

  private static final Logger LOG = LoggerFactory.getLogger(Replayer.class);
  private static final Duration POLL = Duration.ofMillis(200);

  /**
   * What to replay and where to write.
   *
   * @param partitions input partitions to read; empty = all
   * @param dlqTopic where invalid records and failed pairs are dead-lettered; null = count only
   * @param maxPromptTokens the pipeline's token budget (pairs over it are invalid); 0 = none
   * @param transactionalId null = {@link #defaultTransactionalId}
   */
  public record Options(
      KafkaConnection connection,
      String inputTopic,
      List<Integer> partitions,
      RangeBound from,
      RangeBound to,
      String outputTopic,
      String dlqTopic,
      int batchSize,
      int maxPromptTokens,
      String transactionalId) {
    public Options {
      Objects.requireNonNull(connection, "connection");
      Objects.requireNonNull(inputTopic, "inputTopic");
      Objects.requireNonNull(outputTopic, "outputTopic");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      partitions = partitions == null ? List.of() : List.copyOf(partitions);
      if (batchSize < 1) {
        throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
      }
      if (outputTopic.equals(inputTopic)) {
        throw new IllegalArgumentException("--output-topic must differ from --input-topic");
      }
    }

    String txId() {
      return transactionalId == null ? defaultTransactionalId(outputTopic) : transactionalId;
    }
  }

  /** Progress in input offsets: {@code done} of {@code total}. */
  public interface Progress {
    void update(long done, long total);
  }

  /**
   * What a replay did.
   *
   * @param range the resolved range
   * @param counts records read, scored, failed, skipped, invalid
   * @param alreadyInOutput rollout ids the output held before this run
   * @param seconds wall time from the first read to the last commit
   */
  public record Summary(
      ReplayRange range, ReplayScorer.Counts counts, long alreadyInOutput, double seconds) {
    /** Pairs scored (OK or FAILED) per second. */
    public double pairsPerSecond() {
      return seconds <= 0 ? 0 : (counts.scored() + counts.failed()) / seconds;
    }
  }

  private Replayer() {}

  /** One writer per output topic: a second replay into the same topic fences the first. */
  public static String defaultTransactionalId(String outputTopic) {
    return "rewardstream-replay." + outputTopic;
  }

  /** Runs the replay to the end of its range. */
  public static Summary run(Options options, Judge judge, Progress progress) {
    WireFormat wire = options.connection().wireFormat();
    List<Topic<String, ? extends SpecificRecord>> written = new ArrayList<>();
    written.add(Topics.REWARDS.withName(options.outputTopic()));
    if (options.dlqTopic() != null) {
      written.add(Topics.ROLLOUTS_DLQ.withName(options.dlqTopic()));
    }
    Map<String, Integer> ids = wire.prepare(written);
    LOG.info("wire format: {}", wire.describe(ids));
    try (KafkaConsumer<byte[], byte[]> input =
        CommittedReader.consumer(options.connection(), options.batchSize())) {
      ReplayRange range = resolve(input, options);
      LOG.info("replay range {} ({} offsets)", range, range.size());
      int outputPartitions = CommittedReader.partitions(input, options.inputTopic()).size();
      ensureTopics(options, outputPartitions);
      try (KafkaProducer<byte[], byte[]> producer = producer(options)) {
        try {
          producer.initTransactions();
        } catch (KafkaException e) {
          throw new ReplayException(
              "cannot start transactions as '" + options.txId() + "' on " + options.outputTopic(),
              e);
        }
        // After initTransactions: an earlier run's last transaction is committed or aborted now.
        Set<String> scored = outputKeys(options);
        long already = scored.size();
        Set<ReplayScorer.Position> lettered = deadLetteredPositions(options, wire);
        long start = System.nanoTime();
        Tracker tracker = new Tracker(range, progress);
        ReplayScorer scorer =
            new ReplayScorer(
                judge,
                bytes -> wire.rolloutPair().deserializer().deserialize(range.topic(), bytes),
                scored,
                lettered,
                options.batchSize(),
                options.maxPromptTokens(),
                System::currentTimeMillis,
                (results, letters) -> {
                  write(producer, options, wire, results, letters);
                  tracker.committed();
                });
        read(input, range, scorer, tracker, System::currentTimeMillis);
        scorer.flush();
        tracker.committed();
        double seconds = (System.nanoTime() - start) / 1e9;
        Summary summary = new Summary(range, scorer.counts(), already, seconds);
        LOG.info(
            "replayed {} into {}: {} OK, {} FAILED, {} skipped, {} invalid in {} s ({} pairs/s)",
            range.topic(),
            options.outputTopic(),
            summary.counts().scored(),
            summary.counts().failed(),
            summary.counts().skipped(),
            summary.counts().invalidTotal(),
            String.format(java.util.Locale.ROOT, "%.1f", seconds),
            String.format(java.util.Locale.ROOT, "%.2f", summary.pairsPerSecond()));
        return summary;
      }
    }
  }

  private static ReplayRange resolve(KafkaConsumer<byte[], byte[]> consumer, Options options) {
    List<TopicPartition> all = CommittedReader.partitions(consumer, options.inputTopic());
    List<Integer> chosen =
        options.partitions().isEmpty()
            ? all.stream().map(TopicPartition::partition).toList()
            : options.partitions();
    for (int p : chosen) {
      if (p < 0 || p >= all.size()) {
        throw new IllegalArgumentException(
            "--partitions: "
                + options.inputTopic()
                + " has partitions 0.."
                + (all.size() - 1)
                + ", not "
                + p);
      }
    }
    List<TopicPartition> tps = chosen.stream().map(p -> tp(options.inputTopic(), p)).toList();
    Map<TopicPartition, Long> begin = consumer.beginningOffsets(tps);
    Map<TopicPartition, Long> end = consumer.endOffsets(tps);
    ReplayRange.OffsetLookup lookup =
        new ReplayRange.OffsetLookup() {
          @Override
          public long beginning(int partition) {
            return begin.get(tp(options.inputTopic(), partition));
          }

          @Override
          public long end(int partition) {
            return end.get(tp(options.inputTopic(), partition));
          }

          @Override
          public OptionalLong offsetForTime(int partition, long epochMs) {
            TopicPartition tp = tp(options.inputTopic(), partition);
            OffsetAndTimestamp found = consumer.offsetsForTimes(Map.of(tp, epochMs)).get(tp);
            return found == null ? OptionalLong.empty() : OptionalLong.of(found.offset());
          }
        };
    return ReplayRange.resolve(options.inputTopic(), chosen, options.from(), options.to(), lookup);
  }

  /** Creates a missing output (and dead-letter) topic with the input's partition count. */
  private static void ensureTopics(Options options, int partitions) {
    try (Admin admin = Admin.create(options.connection().clientConfig())) {
      Set<String> existing = admin.listTopics().names().get();
      Map<String, Integer> missing = new HashMap<>();
      for (String topic : new String[] {options.outputTopic(), options.dlqTopic()}) {
        if (topic != null && !existing.contains(topic)) {
          missing.put(topic, partitions);
        }
      }
      if (!missing.isEmpty()) {
        LOG.info("creating topics {}", missing);
        TopicCreator.createTopics(admin, missing, java.util.Optional.empty());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ReplayException("interrupted while checking the output topics", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new ReplayException(
          "cannot list topics on " + options.connection().bootstrapServers(), e);
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(Options options) {
    Map<String, Object> config = options.connection().clientConfig();
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, options.txId());
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "rewardstream-replay");
    return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static Set<String> outputKeys(Options options) {
    Set<String> keys = new HashSet<>();
    CommittedReader.readToEnd(
        options.connection(),
        options.outputTopic(),
        r -> {
          if (r.key() != null) {
            keys.add(new String(r.key(), StandardCharsets.UTF_8));
          }
        });
    return keys;
  }

  private static Set<ReplayScorer.Position> deadLetteredPositions(
      Options options, WireFormat wire) {
    Set<ReplayScorer.Position> positions = new HashSet<>();
    if (options.dlqTopic() == null) {
      return positions;
    }
    CommittedReader.readToEnd(
        options.connection(),
        options.dlqTopic(),
        r -> {
          try {
            DeadLetter letter = wire.deadLetter().deserializer().deserialize(r.topic(), r.value());
            positions.add(
                new ReplayScorer.Position(
                    letter.getSourceTopic(),
                    letter.getSourcePartition(),
                    letter.getSourceOffset()));
          } catch (RuntimeException e) {
            LOG.warn("{}-{}@{} is not a DeadLetter; ignored", r.topic(), r.partition(), r.offset());
          }
        });
    return positions;
  }

  /** Feeds the range's records to the scorer, partition by partition as they arrive. */
  private static void read(
      KafkaConsumer<byte[], byte[]> consumer,
      ReplayRange range,
      ReplayScorer scorer,
      Tracker tracker,
      LongSupplier clock) {
    Map<TopicPartition, ReplayRange.Span> active = new HashMap<>();
    range
        .spans()
        .forEach(
            (p, s) -> {
              if (s.size() > 0) {
                active.put(tp(range.topic(), p), s);
              }
            });
    consumer.assign(new ArrayList<>(active.keySet()));
    active.forEach((tp, s) -> consumer.seek(tp, s.from()));
    while (!active.isEmpty()) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
        TopicPartition tp = tp(r.topic(), r.partition());
        ReplayRange.Span span = active.get(tp);
        if (span == null || r.offset() >= span.to()) {
          continue;
        }
        tracker.read(r.partition(), r.offset() + 1);
        scorer.accept(
            new ReplayScorer.Input(
                r.topic(), r.partition(), r.offset(), r.key(), r.value(), clock.getAsLong()));
      }
      List<TopicPartition> done =
          active.entrySet().stream()
              .filter(e -> consumer.position(e.getKey()) >= e.getValue().to())
              .map(Map.Entry::getKey)
              .toList();
      for (TopicPartition tp : done) {
        tracker.read(tp.partition(), active.remove(tp).to());
        consumer.pause(List.of(tp));
      }
    }
  }

  private static void write(
      KafkaProducer<byte[], byte[]> producer,
      Options options,
      WireFormat wire,
      List<RewardResult> results,
      List<DeadLetter> letters) {
    Serializer<RewardResult> resultSerializer = wire.rewardResult().serializer();
    Serializer<DeadLetter> letterSerializer = wire.deadLetter().serializer();
    try {
      producer.beginTransaction();
      for (RewardResult r : results) {
        producer.send(
            new ProducerRecord<>(
                options.outputTopic(),
                utf8(r.getRolloutId()),
                resultSerializer.serialize(options.outputTopic(), r)));
      }
      if (options.dlqTopic() != null) {
        for (DeadLetter d : letters) {
          producer.send(
              new ProducerRecord<>(
                  options.dlqTopic(),
                  d.getRolloutId() == null || d.getRolloutId().isBlank()
                      ? null
                      : utf8(d.getRolloutId()),
                  letterSerializer.serialize(options.dlqTopic(), d)));
        }
      }
      producer.commitTransaction();
    } catch (ProducerFencedException e) {
      throw new ReplayException(
          "another replay into '"
              + options.outputTopic()
              + "' (transactional id '"
              + options.txId()
              + "') took over; this one stops, its open batch is aborted",
          e);
    } catch (KafkaException e) {
      try {
        producer.abortTransaction();
      } catch (KafkaException abort) {
        e.addSuppressed(abort);
      }
      throw new ReplayException(
          "writing a batch of "
              + results.size()
              + " results to "
              + options.outputTopic()
              + " failed; the batch was aborted, rerun the replay to resume",
          e);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static TopicPartition tp(String topic, int partition) {
    return new TopicPartition(topic, partition);
  }

  /** Offsets read per partition, reported to the progress bar after each commit. */
  private static final class Tracker {
    private final ReplayRange range;
    private final Progress progress;
    private final Map<Integer, Long> next = new HashMap<>();

    Tracker(ReplayRange range, Progress progress) {
      this.range = range;
      this.progress = progress;
    }

    void read(int partition, long nextOffset) {
      next.put(partition, nextOffset);
    }

    void committed() {
      long done = 0;
      for (var e : range.spans().entrySet()) {
        long at = next.getOrDefault(e.getKey(), e.getValue().from());
        done += Math.min(at, e.getValue().to()) - e.getValue().from();
      }
      progress.update(done, range.size());
    }
  }
}
