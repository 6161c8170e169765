package io.rewardstream.drift;

import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RewardWindowStats;
import java.util.Arrays;
import java.util.Locale;

/**
 * Which results share a window series (and so a reference): the {@code drift.group.by} setting.
 *
 * <p>The key is always {@code policy_version|judge_version}, with {@link #ALL} in place of the
 * dimension that is pooled, so a consumer can tell the modes apart by key alone.
 */
public enum GroupBy {
  /**
   * One series per (policy_version, judge_version), the default: drift inside a series means the
   * inputs or the judge's behaviour changed while both versions stayed fixed.
   */
  POLICY_AND_JUDGE("policy+judge"),

  /**
   * One series per judge_version, all policy versions pooled: for actors that bump policy_version
   * with every learner update, so the judge's view of the learning policy (reward hacking) is
   * compared with the start of the run.
   */
  JUDGE("judge"),

  /**
   * One series per policy_version, all judge versions pooled: with a frozen policy, a change after
   * a judge swap is the judge's doing (judge regression).
   */
  POLICY("policy");

  /** Stands for "every version" in a key and in the stats and alerts of a pooled dimension. */
  public static final String ALL = "*";

  private final String configValue;

  GroupBy(String configValue) {
    this.configValue = configValue;
  }

  /** The value of {@code drift.group.by} that selects this mode. */
  public String configValue() {
    return configValue;
  }

  /** The mode of a {@code drift.group.by} value, or null when it names none. */
  static GroupBy fromConfigValue(String value) {
    String normalized = value.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(g -> g.configValue.equals(normalized))
        .findFirst()
        .orElse(null);
  }

  /**
   * The series key of a result: {@code policy_version|judge_version} with pooled parts {@link
   * #ALL}.
   */
  public String key(RewardResult result) {
    return key(result.getPolicyVersion(), result.getJudgeVersion());
  }

  /** The series key of these versions (pair or group results). */
  public String key(String policyVersion, String judgeVersion) {
    return policy(policyVersion) + "|" + judge(judgeVersion);
  }

  /** The window's statistics with the pooled dimension shown as {@link #ALL}. */
  RewardWindowStats label(RewardWindowStats stats) {
    stats.setPolicyVersion(policy(stats.getPolicyVersion()));
    stats.setJudgeVersion(judge(stats.getJudgeVersion()));
    return stats;
  }

  /** The policy version as the series shows it ({@link #ALL} when pooled). */
  String policy(String version) {
    return this == JUDGE ? ALL : version;
  }

  /** The judge version as the series shows it ({@link #ALL} when pooled). */
  String judge(String version) {
    return this == POLICY ? ALL : version;
  }
}
