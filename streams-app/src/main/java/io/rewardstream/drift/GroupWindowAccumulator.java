package io.rewardstream.drift;

import io.rewardstream.avro.GroupRewardResult;
import io.rewardstream.avro.GroupStatus;
import io.rewardstream.avro.GroupWindowStats;
import io.rewardstream.avro.ResponseReward;
import java.time.Instant;

/**
 * The running statistics of one key's group results in one window: the mutable aggregate of the
 * group drift windows, stored as JSON (see {@link JsonSerde}).
 *
 * <p>A group's <i>spread</i> is the standard deviation of its responses' rewards: 0 when the judge
 * could not tell any of them apart, and the scale of the advantages GRPO trains on.
 */
final class GroupWindowAccumulator {

  /** Rewards closer than this count as equal (the Bradley–Terry fit is iterative). */
  static final double TIE_EPSILON = 1e-6;

  String policyVersion = "";
  String judgeVersion = "";
  long groups;
  long failed;
  long sizeSum;
  long ok;
  double spreadSum;
  double spreadSumSq;
  long allTies;
  long comparisonsSum;

  GroupWindowAccumulator add(GroupRewardResult result) {
    policyVersion = result.getPolicyVersion();
    judgeVersion = result.getJudgeVersion();
    groups++;
    sizeSum += result.getResponses().size();
    if (result.getStatus() != GroupStatus.OK || result.getResponses().isEmpty()) {
      failed++;
      return this;
    }
    ok++;
    double spread = spread(result);
    spreadSum += spread;
    spreadSumSq += spread * spread;
    allTies += spread < TIE_EPSILON ? 1 : 0;
    comparisonsSum += result.getComparisonCount();
    return this;
  }

  /** The population standard deviation of the group's rewards. */
  static double spread(GroupRewardResult result) {
    double sum = 0;
    double sumSq = 0;
    int n = result.getResponses().size();
    for (ResponseReward r : result.getResponses()) {
      sum += r.getReward();
      sumSq += r.getReward() * r.getReward();
    }
    double mean = sum / n;
    return Math.sqrt(Math.max(0, sumSq / n - mean * mean));
  }

  GroupWindowStats stats(long startMs, long endMs, GroupBy groupBy, long nowMs) {
    double meanSpread = ok == 0 ? 0 : spreadSum / ok;
    double variance =
        ok < 2 ? 0 : Math.max(0, (spreadSumSq - ok * meanSpread * meanSpread) / (ok - 1));
    return GroupWindowStats.newBuilder()
        .setPolicyVersion(groupBy.policy(policyVersion))
        .setJudgeVersion(groupBy.judge(judgeVersion))
        .setWindowStart(Instant.ofEpochMilli(startMs))
        .setWindowEnd(Instant.ofEpochMilli(endMs))
        .setGroupCount(groups)
        .setFailedRate(groups == 0 ? 0 : (double) failed / groups)
        .setMeanGroupSize(groups == 0 ? 0 : (double) sizeSum / groups)
        .setMeanRewardSpread(meanSpread)
        .setStdRewardSpread(Math.sqrt(variance))
        .setAllTieRate(ok == 0 ? 0 : (double) allTies / ok)
        .setMeanComparisons(ok == 0 ? 0 : (double) comparisonsSum / ok)
        .setProducedAt(Instant.ofEpochMilli(nowMs))
        .build();
  }

  /** OK groups in a window's statistics (what the thresholds count). */
  static long okGroups(GroupWindowStats stats) {
    return Math.round(stats.getGroupCount() * (1 - stats.getFailedRate()));
  }
}
