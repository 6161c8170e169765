package io.rewardstream.drift;

import io.rewardstream.avro.DriftAlert;
import io.rewardstream.avro.RewardWindowStats;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares each closed window with its key's reference and forwards the alerts (see {@link
 * DriftDetector} for the rules). The references live in {@link DriftTopology#REFERENCE_STORE}, a
 * persistent, changelogged key-value store keyed like the windows, so a restarted or moved task
 * keeps comparing against the same reference instead of silently forming a new one.
 */
final class DriftProcessor implements Processor<String, RewardWindowStats, String, DriftAlert> {

  private static final Logger LOG = LoggerFactory.getLogger(DriftProcessor.class);

  private final DriftDetector detector;
  private ProcessorContext<String, DriftAlert> context;
  private KeyValueStore<String, Reference> references;

  DriftProcessor(DriftConfig config) {
    this.detector = new DriftDetector(config);
  }

  /** The supplier, which also declares (and so connects) the reference store. */
  static ProcessorSupplier<String, RewardWindowStats, String, DriftAlert> supplier(
      DriftConfig config) {
    return new ProcessorSupplier<>() {
      @Override
      public Processor<String, RewardWindowStats, String, DriftAlert> get() {
        return new DriftProcessor(config);
      }

      @Override
      public Set<StoreBuilder<?>> stores() {
        return Set.of(referenceStore());
      }
    };
  }

  static StoreBuilder<KeyValueStore<String, Reference>> referenceStore() {
    return Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(DriftTopology.REFERENCE_STORE),
        Serdes.String(),
        new JsonSerde<>(Reference.class));
  }

  @Override
  public void init(ProcessorContext<String, DriftAlert> context) {
    this.context = context;
    this.references = context.getStateStore(DriftTopology.REFERENCE_STORE);
  }

  @Override
  public void process(Record<String, RewardWindowStats> record) {
    Reference before = references.get(record.key());
    DriftDetector.Step step =
        detector.step(record.key(), before, record.value(), context.currentSystemTimeMs());
    if (step.changed()) {
      references.put(record.key(), step.reference());
      LOG.debug("drift reference of {} is now {}", record.key(), step.reference());
    }
    for (DriftAlert alert : step.alerts()) {
      LOG.info("drift alert {}: {}", alert.getAlertId(), alert.getMessage());
      context.forward(new Record<>(record.key(), alert, record.timestamp()));
    }
  }
}
