package io.rewardstream.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The same round trip against Testcontainers' {@code KafkaContainer} (the {@code apache/kafka}
 * image), so the harness is proven against a broker in its own process and network namespace too.
 * Reported as skipped where no Docker engine is available.
 */
@Testcontainers(disabledWithoutDocker = true)
class KafkaContainerRoundTripIT {

  @RegisterExtension
  static final KafkaClusterExtension kafka = KafkaClusterExtension.testcontainers();

  @Test
  void tenThousandPairsRoundTripThroughAContainerBroker() throws Exception {
    RolloutPairRoundTripIT.roundTrip(kafka, RolloutPairRoundTripIT.PAIRS);
  }
}
