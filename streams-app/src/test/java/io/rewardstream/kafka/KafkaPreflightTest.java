package io.rewardstream.kafka;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An unreachable cluster gives the one line naming the settings when the admin client's own timeout
 * ends the call (it used to race a wait of the same length, and under load surfaced as "checking
 * Kafka ... failed: TimeoutException: Timed out waiting for a node assignment").
 */
class KafkaPreflightTest {

  @Test
  void anUnreachableClusterIsNamedAsSuchWhenTheAdminClientTimesOut() {
    Map<String, Object> config = Map.of("bootstrap.servers", "127.0.0.1:1");
    assertThatThrownBy(
            () ->
                KafkaPreflight.check(
                    config,
                    List.of(new KafkaPreflight.Need("t", "--topic")),
                    Duration.ofSeconds(1)))
        .isInstanceOf(KafkaPreflightException.class)
        .hasMessageStartingWith("cannot reach Kafka at 127.0.0.1:1 within 1 s")
        .hasMessageContaining("security.protocol");
  }
}
