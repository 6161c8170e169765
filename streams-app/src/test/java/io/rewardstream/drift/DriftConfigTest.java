package io.rewardstream.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewardstream.config.ConfigKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class DriftConfigTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    DriftConfig config = DriftConfig.defaults();

    assertThat(config.groupBy()).isEqualTo(GroupBy.POLICY_AND_JUDGE);
    assertThat(config.window()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.hop()).isEqualTo(config.window());
    assertThat(config.hopping()).isFalse();
    assertThat(config.grace()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.bins()).isEqualTo(10);
    assertThat(config.referenceWindows()).isEqualTo(3);
    assertThat(config.referenceStart()).isEmpty();
    assertThat(config.psiThreshold()).isEqualTo(0.2);
    assertThat(config.psiMinCount()).isEqualTo(200);
    assertThat(config.ksAlpha()).isEqualTo(0.01);
    assertThat(config.meanShiftThreshold()).isEqualTo(4.0);
    assertThat(config.minCount()).isEqualTo(30);
  }

  @Test
  void readsItsKeysAndIgnoresEveryOtherKey() {
    Properties p = new Properties();
    p.setProperty("drift.group.by", "Judge");
    p.setProperty("drift.window.ms", "60000");
    p.setProperty("drift.hop.ms", " 20000 ");
    p.setProperty("drift.grace.ms", "0");
    p.setProperty("drift.bins", "20");
    p.setProperty("drift.reference.windows", "1");
    p.setProperty("drift.reference.start", "2026-01-31T12:00:00Z");
    p.setProperty("drift.psi.threshold", "0.25");
    p.setProperty("drift.psi.min.count", "100");
    p.setProperty("drift.ks.alpha", "0.05");
    p.setProperty("drift.mean.shift.threshold", "3");
    p.setProperty("drift.min.count", "10");
    p.setProperty("batch.size", "16");
    p.setProperty("bootstrap.servers", "localhost:9092");

    DriftConfig config = DriftConfig.fromProperties(p);

    assertThat(config.groupBy()).isEqualTo(GroupBy.JUDGE);
    assertThat(config.window()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.hop()).isEqualTo(Duration.ofSeconds(20));
    assertThat(config.hopping()).isTrue();
    assertThat(config.grace()).isZero();
    assertThat(config.bins()).isEqualTo(20);
    assertThat(config.referenceWindows()).isEqualTo(1);
    assertThat(config.referenceStart()).contains(Instant.parse("2026-01-31T12:00:00Z"));
    assertThat(config.psiThreshold()).isEqualTo(0.25);
    assertThat(config.psiMinCount()).isEqualTo(100);
    assertThat(config.ksAlpha()).isEqualTo(0.05);
    assertThat(config.meanShiftThreshold()).isEqualTo(3.0);
    assertThat(config.minCount()).isEqualTo(10);
  }

  @Test
  void referenceStartAcceptsEpochMillis() {
    Properties p = new Properties();
    p.setProperty("drift.reference.start", "1769860800000");
    assertThat(DriftConfig.fromProperties(p).referenceStart())
        .contains(Instant.parse("2026-01-31T12:00:00Z"));
  }

  @Test
  void invalidValuesNameTheKeyAndTheValue() {
    assertInvalid("drift.group.by", "team", "Invalid config drift.group.by=team: use one of");
    assertInvalid("drift.window.ms", "0", "Invalid config drift.window.ms=0");
    assertInvalid("drift.window.ms", "five", "Invalid config drift.window.ms=five: expected ms");
    assertInvalid("drift.bins", "1", "Invalid config drift.bins=1");
    assertInvalid("drift.grace.ms", "-1", "Invalid config drift.grace.ms=-1");
    assertInvalid("drift.psi.threshold", "0", "Invalid config drift.psi.threshold=0.0");
    assertInvalid("drift.ks.alpha", "1.5", "Invalid config drift.ks.alpha=1.5");
    assertInvalid("drift.mean.shift.threshold", "NaN", "drift.mean.shift.threshold=NaN");
    assertInvalid("drift.min.count", "1", "Invalid config drift.min.count=1");
    assertInvalid("drift.group.spread.drop", "1", "Invalid config drift.group.spread.drop=1.0");
    assertInvalid("drift.group.ties.rise", "0", "Invalid config drift.group.ties.rise=0.0");
    assertInvalid("drift.group.min.count", "0", "Invalid config drift.group.min.count=0");
    assertInvalid("drift.reference.windows", "0", "Invalid config drift.reference.windows=0");
    assertInvalid("drift.reference.start", "yesterday", "drift.reference.start=yesterday");
    assertInvalid("drift.psi.treshold", "0.3", "drift.psi.treshold=0.3: unknown key");
  }

  @Test
  void aHopLongerThanTheWindowIsRejected() {
    Properties p = new Properties();
    p.setProperty("drift.window.ms", "1000");
    p.setProperty("drift.hop.ms", "2000");
    assertThatThrownBy(() -> DriftConfig.fromProperties(p))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid config drift.hop.ms=2000");
  }

  @Test
  void everyKeyIsDocumented() {
    assertThat(DriftConfig.KEYS)
        .extracting(ConfigKey::name)
        .containsExactly(
            DriftConfig.GROUP_BY,
            DriftConfig.WINDOW_MS,
            DriftConfig.HOP_MS,
            DriftConfig.GRACE_MS,
            DriftConfig.BINS,
            DriftConfig.REFERENCE_WINDOWS,
            DriftConfig.REFERENCE_START,
            DriftConfig.PSI_THRESHOLD,
            DriftConfig.PSI_MIN_COUNT,
            DriftConfig.KS_ALPHA,
            DriftConfig.MEAN_SHIFT_THRESHOLD,
            DriftConfig.MIN_COUNT,
            DriftConfig.GROUP_SPREAD_DROP,
            DriftConfig.GROUP_TIES_RISE,
            DriftConfig.GROUP_MIN_COUNT);
    assertThat(DriftConfig.KEYS).allSatisfy(key -> assertThat(key.doc()).isNotBlank());
  }

  private static void assertInvalid(String key, String value, String message) {
    Properties p = new Properties();
    p.setProperty(key, value);
    assertThatThrownBy(() -> DriftConfig.fromProperties(p))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
