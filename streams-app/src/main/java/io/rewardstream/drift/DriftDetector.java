package io.rewardstream.drift;

import io.rewardstream.avro.DriftAlert;
import io.rewardstream.avro.DriftStatistic;
import io.rewardstream.avro.RewardWindowStats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The drift decision for one closed window of one key, as a pure function of the key's reference
 * and the window: no Kafka, so it is tested directly. {@link DriftProcessor} keeps the reference in
 * a store and forwards the alerts.
 *
 * <p>Per window, in order:
 *
 * <ol>
 *   <li>fewer than {@code drift.min.count} scored results: ignored (neither pooled nor tested);
 *   <li>before a pinned {@code drift.reference.start}: ignored;
 *   <li>reference not complete ({@code drift.reference.windows} pooled): pooled into it if it does
 *       not overlap a pooled window, else ignored;
 *   <li>overlapping the reference (hopping windows): ignored, it shares results with it;
 *   <li>otherwise tested: PSI (when both sides have {@code drift.psi.min.count} results) and KS on
 *       the p_a_better histograms, mean shift on the reward margin. Each statistic over its
 *       threshold gives one alert.
 * </ol>
 */
final class DriftDetector {

  /**
   * The outcome of one window.
   *
   * @param reference the key's reference afterwards (null when there is none yet)
   * @param changed whether it differs from the one passed in (and must be stored)
   * @param alerts the alerts raised, possibly none
   */
  record Step(Reference reference, boolean changed, List<DriftAlert> alerts) {}

  private final DriftConfig config;

  DriftDetector(DriftConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /**
   * Decides what one closed window does to its key's reference and which alerts it raises.
   *
   * @param key the (policy_version|judge_version) key, used in alert ids
   * @param reference the key's reference so far, null when none
   * @param window the closed window's statistics
   * @param nowMs raised_at of any alert
   */
  Step step(String key, Reference reference, RewardWindowStats window, long nowMs) {
    long start = window.getWindowStart().toEpochMilli();
    if (Reference.scoredCount(window) < config.minCount()
        || config.referenceStart().map(pin -> start < pin.toEpochMilli()).orElse(false)) {
      return new Step(reference, false, List.of());
    }
    if (reference != null && reference.histogram().length != window.getPABetterHistogram().size()) {
      // drift.bins changed across a restart: the old reference cannot be compared; start over.
      return new Step(Reference.of(window), true, List.of());
    }
    if (reference == null) {
      return new Step(Reference.of(window), true, List.of());
    }
    boolean disjoint = start >= reference.endMs();
    if (reference.windows() < config.referenceWindows()) {
      return disjoint
          ? new Step(reference.plus(window), true, List.of())
          : new Step(reference, false, List.of());
    }
    return new Step(reference, false, disjoint ? test(key, reference, window, nowMs) : List.of());
  }

  /** Runs the three tests of a window against a complete reference. */
  List<DriftAlert> test(String key, Reference ref, RewardWindowStats window, long nowMs) {
    List<DriftAlert> alerts = new ArrayList<>(3);
    long[] refHist = ref.histogram();
    long[] winHist = Reference.histogramOf(window);
    long n = ref.count();
    long m = DriftMath.total(winHist);
    if (n >= config.psiMinCount() && m >= config.psiMinCount()) {
      double psi = DriftMath.psi(refHist, winHist);
      if (psi > config.psiThreshold()) {
        String text = AlertMessages.psi(psi, config.psiThreshold(), ref, window);
        alerts.add(
            alert(key, DriftStatistic.PSI, psi, config.psiThreshold(), ref, window, text, nowMs));
      }
    }
    double d = DriftMath.ksStatistic(refHist, winHist);
    double critical = DriftMath.ksCriticalValue(config.ksAlpha(), n, m);
    if (d > critical) {
      double p = DriftMath.ksPValue(d, n, m);
      String text = AlertMessages.ks(d, critical, config.ksAlpha(), p, ref, window);
      alerts.add(alert(key, DriftStatistic.KS, d, critical, ref, window, text, nowMs));
    }
    Moments w = Reference.marginOf(window);
    Moments r = ref.margin();
    double z = DriftMath.meanShift(w.mean(), w.variance(), w.n(), r.mean(), r.variance(), r.n());
    if (z > config.meanShiftThreshold()) {
      String text = AlertMessages.meanShift(z, config.meanShiftThreshold(), ref, window);
      alerts.add(
          alert(
              key,
              DriftStatistic.MEAN_SHIFT,
              z,
              config.meanShiftThreshold(),
              ref,
              window,
              text,
              nowMs));
    }
    return alerts;
  }

  /** One alert; its id is deterministic, so a re-processed window repeats the same id. */
  private static DriftAlert alert(
      String key,
      DriftStatistic statistic,
      double value,
      double threshold,
      Reference ref,
      RewardWindowStats window,
      String message,
      long nowMs) {
    return alert(
        key,
        statistic,
        value,
        threshold,
        ref.startMs(),
        ref.endMs(),
        window.getPolicyVersion(),
        window.getJudgeVersion(),
        window.getWindowStart(),
        window.getWindowEnd(),
        message,
        nowMs);
  }

  /**
   * An alert of any statistic (pairs or groups): id {@code key|STATISTIC|window_start}, so a
   * re-processed window repeats the same id.
   */
  static DriftAlert alert(
      String key,
      DriftStatistic statistic,
      double value,
      double threshold,
      long referenceStartMs,
      long referenceEndMs,
      String policyVersion,
      String judgeVersion,
      Instant windowStart,
      Instant windowEnd,
      String message,
      long nowMs) {
    return DriftAlert.newBuilder()
        .setAlertId(key + "|" + statistic + "|" + windowStart.toEpochMilli())
        .setPolicyVersion(policyVersion)
        .setJudgeVersion(judgeVersion)
        .setStatistic(statistic)
        .setValue(value)
        .setThreshold(threshold)
        .setReferenceStart(Instant.ofEpochMilli(referenceStartMs))
        .setReferenceEnd(Instant.ofEpochMilli(referenceEndMs))
        .setWindowStart(windowStart)
        .setWindowEnd(windowEnd)
        .setMessage(message)
        .setRaisedAt(Instant.ofEpochMilli(nowMs))
        .build();
  }
}
