package io.rewardstream.app;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.rewardstream.topology.CommitBudget;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;

/**
 * Watches the stream thread's transactions: gives the {@link CommitBudget} back when a transaction
 * ends and counts commits, aborts and fencing.
 *
 * <p>Kafka Streams has no callback for "a commit happened", but under exactly-once every commit of
 * a stream thread is one {@code commitTransaction()} on its one producer, which Streams obtains
 * from a {@link KafkaClientSupplier}. This supplier creates the same clients as Streams' default
 * one and wraps the producer to observe that call. Nothing else about the clients changes.
 *
 * <p>"Fenced" counts the errors that mean the transaction was taken away from this producer: {@link
 * ProducerFencedException} and {@link InvalidProducerEpochException}, raised by a transaction call
 * or reported to a send callback; the broker raises them e.g. after aborting a transaction that ran
 * past {@code transaction.timeout.ms}. A healthy instance counts zero.
 */
final class TransactionObserver implements KafkaClientSupplier {

  private final CommitBudget budget;
  private final AtomicLong commits = new AtomicLong();
  private final AtomicLong aborts = new AtomicLong();
  private final AtomicLong fenced = new AtomicLong();

  TransactionObserver(CommitBudget budget) {
    this.budget = budget;
  }

  /**
   * Registers the counters: committed and aborted transactions, fencing errors, deferred batches.
   */
  void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("rewardstream.transactions.committed", commits, AtomicLong::get)
        .description("transactions the stream thread committed")
        .register(registry);
    FunctionCounter.builder("rewardstream.transactions.aborted", aborts, AtomicLong::get)
        .description("transactions the stream thread aborted")
        .register(registry);
    FunctionCounter.builder("rewardstream.producer.fenced", fenced, AtomicLong::get)
        .description(
            "errors saying a transaction was taken away from the producer (fenced or invalid"
                + " epoch; one fencing may report several); the batches in flight are scored"
                + " again")
        .register(registry);
    FunctionCounter.builder("rewardstream.batches.deferred", budget, CommitBudget::batchesDeferred)
        .description(
            "times a full or timed-out batch waited for the next transaction (one batch per"
                + " transaction)")
        .register(registry);
  }

  /** Errors seen so far that mean the producer was fenced. */
  long fencedCount() {
    return fenced.get();
  }

  @Override
  public Admin getAdmin(Map<String, Object> config) {
    return Admin.create(config);
  }

  @Override
  public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
    return new ObservedProducer(
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()));
  }

  @Override
  public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @Override
  public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
    return getConsumer(config);
  }

  @Override
  public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
    return getConsumer(config);
  }

  private void noteFencing(Throwable error) {
    for (Throwable e = error; e != null; e = e.getCause()) {
      if (e instanceof ProducerFencedException || e instanceof InvalidProducerEpochException) {
        fenced.incrementAndGet();
        return;
      }
    }
  }

  /** Delegates every call; observes the ends of transactions and fencing errors. */
  private final class ObservedProducer implements Producer<byte[], byte[]> {

    private final Producer<byte[], byte[]> delegate;

    ObservedProducer(Producer<byte[], byte[]> delegate) {
      this.delegate = delegate;
    }

    /** Runs a transaction call, counting a fencing error it throws. */
    private void observed(Runnable call) {
      try {
        call.run();
      } catch (RuntimeException e) {
        noteFencing(e);
        throw e;
      }
    }

    @Override
    public void initTransactions() {
      observed(delegate::initTransactions);
      budget.transactionEnded();
    }

    @Override
    public void beginTransaction() {
      observed(delegate::beginTransaction);
    }

    @Override
    public void sendOffsetsToTransaction(
        Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata groupMetadata) {
      observed(() -> delegate.sendOffsetsToTransaction(offsets, groupMetadata));
    }

    @Override
    public void commitTransaction() {
      boolean committed = false;
      try {
        observed(delegate::commitTransaction);
        commits.incrementAndGet();
        committed = true;
      } finally {
        if (committed) {
          budget.transactionCommitted();
        } else {
          budget.transactionEnded();
        }
      }
    }

    @Override
    public void abortTransaction() {
      try {
        observed(delegate::abortTransaction);
        aborts.incrementAndGet();
      } finally {
        budget.transactionEnded();
      }
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
      delegate.registerMetricForSubscription(metric);
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
      delegate.unregisterMetricFromSubscription(metric);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
      return send(record, null);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
      Callback observing =
          (metadata, error) -> {
            if (error != null) {
              noteFencing(error);
            }
            if (callback != null) {
              callback.onCompletion(metadata, error);
            }
          };
      try {
        return delegate.send(record, observing);
      } catch (RuntimeException e) {
        noteFencing(e);
        throw e;
      }
    }

    @Override
    public void flush() {
      delegate.flush();
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
      return delegate.partitionsFor(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
      return delegate.metrics();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
      return delegate.clientInstanceId(timeout);
    }

    @Override
    public void close() {
      delegate.close();
    }

    @Override
    public void close(Duration timeout) {
      delegate.close(timeout);
    }
  }
}
