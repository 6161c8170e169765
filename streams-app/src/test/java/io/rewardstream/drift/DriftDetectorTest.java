package io.rewardstream.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.avro.DriftStatistic;
import io.rewardstream.avro.RewardWindowStats;
import java.time.Instant;
import java.util.Arrays;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The reference and testing rules of {@link DriftDetector}, without Kafka. */
class DriftDetectorTest {

  private static final long MINUTE = 60_000;
  private static final long[] BROAD = {0, 20, 0, 20, 0, 20, 0, 20, 0, 20};
  private static final long[] HIGH = {0, 0, 0, 0, 0, 0, 0, 50, 0, 50};

  @Test
  void theFirstWindowsFormTheReferenceAndLaterOnesAreTested() {
    DriftDetector detector = detector("drift.reference.windows", "2", "drift.psi.min.count", "100");

    // Step 1: two windows pooled, no alerts.
    DriftDetector.Step first = detector.step("k", null, window(0, 1, BROAD, 0.0, 0.57), 0);
    assertThat(first.changed()).isTrue();
    assertThat(first.alerts()).isEmpty();
    DriftDetector.Step second =
        detector.step("k", first.reference(), window(1, 1, BROAD, 0.0, 0.57), 0);
    assertThat(second.reference().windows()).isEqualTo(2);
    assertThat(second.reference().count()).isEqualTo(200);
    assertThat(second.reference().endMs()).isEqualTo(2 * MINUTE);

    // Step 2: the same distribution passes, a shifted one raises all three alerts.
    Reference ref = second.reference();
    assertThat(detector.step("k", ref, window(2, 1, BROAD, 0.0, 0.57), 0).alerts()).isEmpty();
    DriftDetector.Step shifted = detector.step("k", ref, window(3, 1, HIGH, 0.6, 0.2), 0);
    assertThat(shifted.changed()).isFalse();
    assertThat(shifted.alerts())
        .extracting(a -> a.getStatistic())
        .containsExactly(DriftStatistic.PSI, DriftStatistic.KS, DriftStatistic.MEAN_SHIFT);
  }

  @Test
  void smallWindowsAreNeitherPooledNorTested() {
    DriftDetector detector = detector("drift.reference.windows", "1", "drift.min.count", "30");
    long[] tiny = {0, 0, 0, 0, 0, 0, 0, 10, 0, 19}; // 29 < 30

    assertThat(detector.step("k", null, window(0, 1, tiny, 0.6, 0.2), 0).reference()).isNull();
    Reference ref = detector.step("k", null, window(1, 1, BROAD, 0.0, 0.57), 0).reference();
    DriftDetector.Step step = detector.step("k", ref, window(2, 1, tiny, 0.6, 0.2), 0);
    assertThat(step.alerts()).isEmpty();
    assertThat(step.changed()).isFalse();
  }

  @Test
  void psiWaitsForItsOwnMinimumCountWhileKsAndMeanShiftRun() {
    DriftDetector detector = detector("drift.reference.windows", "1", "drift.psi.min.count", "200");
    Reference ref = detector.step("k", null, window(0, 1, BROAD, 0.0, 0.57), 0).reference();

    // 100 results on each side: below 200, so no PSI, but the shift is plain to KS and the mean.
    assertThat(detector.step("k", ref, window(1, 1, HIGH, 0.6, 0.2), 0).alerts())
        .extracting(a -> a.getStatistic())
        .containsExactly(DriftStatistic.KS, DriftStatistic.MEAN_SHIFT);
  }

  @Test
  void aPinnedReferenceIgnoresEarlierWindows() {
    DriftDetector detector =
        detector(
            "drift.reference.windows",
            "1",
            "drift.psi.min.count",
            "100",
            "drift.reference.start",
            String.valueOf(2 * MINUTE));

    // Windows 0 and 1 come before the pin: not a reference, not tested, even when shifted.
    assertThat(detector.step("k", null, window(0, 1, HIGH, 0.6, 0.2), 0).reference()).isNull();
    assertThat(detector.step("k", null, window(1, 1, BROAD, 0.0, 0.57), 0).reference()).isNull();
    Reference ref = detector.step("k", null, window(2, 1, BROAD, 0.0, 0.57), 0).reference();
    assertThat(ref.startMs()).isEqualTo(2 * MINUTE);
    assertThat(detector.step("k", ref, window(3, 1, HIGH, 0.6, 0.2), 0).alerts()).hasSize(3);
  }

  @Test
  void hoppingWindowsThatOverlapTheReferenceAreNotPooledTwiceNorTested() {
    // 2-minute windows every minute: window n covers [n, n+2) minutes.
    DriftDetector detector =
        detector(
            "drift.reference.windows",
            "2",
            "drift.psi.min.count",
            "100",
            "drift.window.ms",
            "120000",
            "drift.hop.ms",
            "60000");

    Reference ref = detector.step("k", null, window(0, 2, BROAD, 0.0, 0.57), 0).reference();
    // [1, 3) overlaps [0, 2): skipped.
    DriftDetector.Step overlap = detector.step("k", ref, window(1, 2, BROAD, 0.0, 0.57), 0);
    assertThat(overlap.changed()).isFalse();
    // [2, 4) is disjoint: pooled; the reference is [0, 4) with 200 results, each counted once.
    ref = detector.step("k", ref, window(2, 2, BROAD, 0.0, 0.57), 0).reference();
    assertThat(ref.windows()).isEqualTo(2);
    assertThat(ref.count()).isEqualTo(200);
    // [3, 5) shares a minute with the reference: not tested, however shifted.
    assertThat(detector.step("k", ref, window(3, 2, HIGH, 0.6, 0.2), 0).alerts()).isEmpty();
    assertThat(detector.step("k", ref, window(4, 2, HIGH, 0.6, 0.2), 0).alerts()).hasSize(3);
  }

  @Test
  void aChangedBinCountStartsANewReference() {
    DriftDetector detector = detector("drift.reference.windows", "1");
    Reference tenBins = detector.step("k", null, window(0, 1, BROAD, 0.0, 0.57), 0).reference();
    long[] fiveBins = {20, 20, 20, 20, 20};

    DriftDetector.Step step = detector.step("k", tenBins, window(1, 1, fiveBins, 0.0, 0.57), 0);

    assertThat(step.changed()).isTrue();
    assertThat(step.alerts()).isEmpty();
    assertThat(step.reference().histogram()).hasSize(5);
  }

  @Test
  void referencesSurviveTheirJsonStore() {
    DriftDetector detector = detector("drift.reference.windows", "2");
    Reference one = detector.step("k", null, window(0, 1, BROAD, 0.0, 0.57), 0).reference();
    Reference two = detector.step("k", one, window(1, 1, BROAD, 0.1, 0.5), 0).reference();
    JsonSerde<Reference> serde = new JsonSerde<>(Reference.class);

    Reference back = serde.deserializer().deserialize("t", serde.serializer().serialize("t", two));

    assertThat(back).isEqualTo(two);
  }

  private static DriftDetector detector(String... keyValues) {
    Properties p = new Properties();
    for (int i = 0; i < keyValues.length; i += 2) {
      p.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return new DriftDetector(DriftConfig.fromProperties(p));
  }

  /** A window [start, start + length) in minutes; p_a_better moments follow the margin's. */
  private static RewardWindowStats window(
      int startMinute, int lengthMinutes, long[] histogram, double marginMean, double marginStd) {
    long n = Arrays.stream(histogram).sum();
    return RewardWindowStats.newBuilder()
        .setPolicyVersion("pi")
        .setJudgeVersion("j")
        .setWindowStart(Instant.ofEpochMilli(startMinute * MINUTE))
        .setWindowEnd(Instant.ofEpochMilli((startMinute + lengthMinutes) * MINUTE))
        .setCount(n)
        .setMeanRewardMargin(marginMean)
        .setStdRewardMargin(marginStd)
        .setMeanPABetter(0.5 + marginMean / 2)
        .setStdPABetter(marginStd / 2)
        .setPABetterHistogram(Arrays.stream(histogram).boxed().toList())
        .setTieRate(0)
        .setAbstainRate(0)
        .setFailedRate(0)
        .setPositionConsistencyRate(1)
        .setMeanAnalysisLength(0)
        .setMeanLatencyMs(0)
        .build();
  }
}
