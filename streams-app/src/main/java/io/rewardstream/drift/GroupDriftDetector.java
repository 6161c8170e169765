package io.rewardstream.drift;

import io.rewardstream.avro.DriftAlert;
import io.rewardstream.avro.DriftStatistic;
import io.rewardstream.avro.GroupWindowStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The group drift decision for one closed window of one key, a pure function of the key's reference
 * and the window (like {@link DriftDetector} for pairs):
 *
 * <ol>
 *   <li>fewer than {@code drift.group.min.count} OK groups, or before a pinned {@code
 *       drift.reference.start}: ignored;
 *   <li>until {@code drift.reference.windows} disjoint windows are pooled: pooled into the
 *       reference (mean spread and all-tie rate, weighted by groups);
 *   <li>then tested: {@code GROUP_SPREAD} when the window's mean spread fell below {@code 1 -
 *       drift.group.spread.drop} of the reference's; {@code GROUP_TIES} when its all-tie rate rose
 *       more than {@code drift.group.ties.rise} above the reference's.
 * </ol>
 */
final class GroupDriftDetector {

  /**
   * A key's pooled reference windows.
   *
   * @param windows windows pooled
   * @param startMs start of the first
   * @param endMs end of the last
   * @param groups OK groups pooled
   * @param spreadSum sum of their spreads
   * @param allTies how many of them were all ties
   */
  record GroupReference(
      int windows, long startMs, long endMs, long groups, double spreadSum, long allTies) {

    static GroupReference of(GroupWindowStats w) {
      long n = GroupWindowAccumulator.okGroups(w);
      return new GroupReference(
          1,
          w.getWindowStart().toEpochMilli(),
          w.getWindowEnd().toEpochMilli(),
          n,
          w.getMeanRewardSpread() * n,
          Math.round(w.getAllTieRate() * n));
    }

    GroupReference plus(GroupWindowStats w) {
      GroupReference more = of(w);
      return new GroupReference(
          windows + 1,
          startMs,
          more.endMs,
          groups + more.groups,
          spreadSum + more.spreadSum,
          allTies + more.allTies);
    }

    double meanSpread() {
      return groups == 0 ? 0 : spreadSum / groups;
    }

    double allTieRate() {
      return groups == 0 ? 0 : (double) allTies / groups;
    }
  }

  /** The reference afterwards, whether it changed, and the alerts. */
  record Step(GroupReference reference, boolean changed, List<DriftAlert> alerts) {}

  private final DriftConfig config;

  GroupDriftDetector(DriftConfig config) {
    this.config = config;
  }

  Step step(String key, GroupReference reference, GroupWindowStats window, long nowMs) {
    long start = window.getWindowStart().toEpochMilli();
    if (GroupWindowAccumulator.okGroups(window) < config.groupMinCount()
        || config.referenceStart().map(pin -> start < pin.toEpochMilli()).orElse(false)) {
      return new Step(reference, false, List.of());
    }
    if (reference == null) {
      return new Step(GroupReference.of(window), true, List.of());
    }
    boolean disjoint = start >= reference.endMs();
    if (reference.windows() < config.referenceWindows()) {
      return disjoint
          ? new Step(reference.plus(window), true, List.of())
          : new Step(reference, false, List.of());
    }
    return new Step(reference, false, disjoint ? test(key, reference, window, nowMs) : List.of());
  }

  private List<DriftAlert> test(String key, GroupReference ref, GroupWindowStats w, long nowMs) {
    List<DriftAlert> alerts = new ArrayList<>(2);
    double keep = 1 - config.groupSpreadDrop();
    if (ref.meanSpread() > 0 && w.getMeanRewardSpread() < keep * ref.meanSpread()) {
      double ratio = w.getMeanRewardSpread() / ref.meanSpread();
      String text =
          String.format(
              Locale.ROOT,
              "GROUP_SPREAD: the rewards within a group spread %.3f on average, %.0f %% of the"
                  + " reference's %.3f (alert below %.0f %%). GRPO's advantages (reward minus the"
                  + " group mean) are shrinking: the policy may be converging on responses this"
                  + " judge can no longer tell apart (reward hacking, mode collapse), or the judge"
                  + " ties more. Read a few groups of this window, and compare with a second"
                  + " judge (replay).",
              w.getMeanRewardSpread(),
              100 * ratio,
              ref.meanSpread(),
              100 * keep);
      alerts.add(alert(key, DriftStatistic.GROUP_SPREAD, ratio, keep, ref, w, text, nowMs));
    }
    double limit = ref.allTieRate() + config.groupTiesRise();
    if (w.getAllTieRate() > limit) {
      String text =
          String.format(
              Locale.ROOT,
              "GROUP_TIES: %.0f %% of the groups got the same reward for every response, against"
                  + " %.0f %% in the reference (alert above %.0f %%). Such groups teach GRPO"
                  + " nothing (zero advantage): the responses became indistinguishable to the"
                  + " judge, or identical.",
              100 * w.getAllTieRate(),
              100 * ref.allTieRate(),
              100 * limit);
      alerts.add(
          alert(key, DriftStatistic.GROUP_TIES, w.getAllTieRate(), limit, ref, w, text, nowMs));
    }
    return alerts;
  }

  private static DriftAlert alert(
      String key,
      DriftStatistic statistic,
      double value,
      double threshold,
      GroupReference ref,
      GroupWindowStats window,
      String message,
      long nowMs) {
    return DriftDetector.alert(
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
}
