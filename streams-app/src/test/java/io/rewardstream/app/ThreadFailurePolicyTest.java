package io.rewardstream.app;

import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

class ThreadFailurePolicyTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static StreamsException transientFailure() {
    return new StreamsException("task failed", new TimeoutException("broker restarting"));
  }

  @Test
  void aTransientFailureReplacesTheThread() {
    ThreadFailurePolicy policy = new ThreadFailurePolicy(Clock.fixed(T0, ZoneOffset.UTC));

    assertThat(policy.handle(transientFailure())).isEqualTo(REPLACE_THREAD);
  }

  @Test
  void aBugOrAnErrorShutsTheClientDown() {
    ThreadFailurePolicy policy = new ThreadFailurePolicy(Clock.fixed(T0, ZoneOffset.UTC));

    assertThat(policy.handle(new StreamsException(new IllegalStateException("bug"))))
        .isEqualTo(SHUTDOWN_CLIENT);
    assertThat(policy.handle(new StreamsException(new OutOfMemoryError("native"))))
        .isEqualTo(SHUTDOWN_CLIENT);
    // An Error anywhere in the chain wins over a retriable wrapper.
    assertThat(policy.handle(new TimeoutException("t", new OutOfMemoryError("x"))))
        .isEqualTo(SHUTDOWN_CLIENT);
  }

  @Test
  void tooManyTransientFailuresInTheWindowShutDownAndOldOnesAreForgotten() {
    MutableClock clock = new MutableClock(T0);
    ThreadFailurePolicy policy = new ThreadFailurePolicy(clock);

    for (int i = 0; i < ThreadFailurePolicy.MAX_REPLACEMENTS; i++) {
      assertThat(policy.handle(transientFailure())).isEqualTo(REPLACE_THREAD);
    }
    assertThat(policy.handle(transientFailure())).isEqualTo(SHUTDOWN_CLIENT);

    clock.now = T0.plus(ThreadFailurePolicy.WINDOW).plus(Duration.ofSeconds(1));
    assertThat(policy.handle(transientFailure())).isEqualTo(REPLACE_THREAD);
  }

  private static final class MutableClock extends Clock {
    Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
