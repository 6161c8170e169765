package io.rewardstream.topology;

import io.rewardstream.judge.group.GroupStrategy;
import java.util.Objects;

/**
 * Group scoring's part of the topology: whether it runs, its topics and how groups are judged.
 *
 * @param enabled whether the topology reads rollout groups at all (off: pairs only)
 * @param inputTopic rollout groups (Avro RolloutGroup, key group_id)
 * @param outputTopic group rewards (Avro GroupRewardResult, key group_id)
 * @param strategy which pairs of responses are judged
 * @param maxSize most responses a group may have; more is dead-lettered GROUP_SIZE
 * @param includeAnalysis whether each comparison in the result carries the judge's analysis
 */
public record GroupSettings(
    boolean enabled,
    String inputTopic,
    String outputTopic,
    GroupStrategy strategy,
    int maxSize,
    boolean includeAnalysis) {

  public GroupSettings {
    Objects.requireNonNull(inputTopic, "inputTopic");
    Objects.requireNonNull(outputTopic, "outputTopic");
    Objects.requireNonNull(strategy, "strategy");
  }

  /** Pairs only, with the default names should it be switched on. */
  public static GroupSettings disabled() {
    return new GroupSettings(
        false, "rollout-groups", "group-rewards", GroupStrategy.SWISS, 64, false);
  }
}
