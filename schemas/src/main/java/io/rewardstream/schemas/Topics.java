package io.rewardstream.schemas;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DriftAlert;
import io.rewardstream.avro.GroupRewardResult;
import io.rewardstream.avro.GroupWindowStats;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RewardWindowStats;
import io.rewardstream.avro.RolloutGroup;
import io.rewardstream.avro.RolloutPair;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The default RewardStream topics with their key and value types.
 *
 * <p>Every record is keyed by a string ({@code rollout_id} for per-rollout topics), so results,
 * dead letters and inputs of one rollout land on the same partition number and can be joined or
 * compacted by key. Deployments that use other names call {@link Topic#withName(String)}.
 */
public final class Topics {

  /** Rollout pairs from the RL actor; key = rollout_id. */
  public static final Topic<String, RolloutPair> ROLLOUTS =
      new Topic<>("rollouts", Serdes.String(), AvroSerdes.rolloutPair());

  /** Rewards with their analysis and provenance; key = rollout_id. */
  public static final Topic<String, RewardResult> REWARDS =
      new Topic<>("rewards", Serdes.String(), AvroSerdes.rewardResult());

  /** Inputs that could not be scored, with the reason; key = rollout_id when known. */
  public static final Topic<String, DeadLetter> ROLLOUTS_DLQ =
      new Topic<>("rollouts-dlq", Serdes.String(), AvroSerdes.deadLetter());

  /** Windowed reward statistics per policy and judge version. */
  public static final Topic<String, RewardWindowStats> REWARD_STATS =
      new Topic<>("reward-stats", Serdes.String(), AvroSerdes.rewardWindowStats());

  /** Alerts raised when a window's reward distribution drifts. */
  public static final Topic<String, DriftAlert> DRIFT_ALERTS =
      new Topic<>("reward-drift-alerts", Serdes.String(), AvroSerdes.driftAlert());

  /** Rollout groups (N responses to one prompt) from the RL actor; key = group_id. */
  public static final Topic<String, RolloutGroup> ROLLOUT_GROUPS =
      new Topic<>("rollout-groups", Serdes.String(), AvroSerdes.rolloutGroup());

  /** Group-relative rewards, one record per group; key = group_id. */
  public static final Topic<String, GroupRewardResult> GROUP_REWARDS =
      new Topic<>("group-rewards", Serdes.String(), AvroSerdes.groupRewardResult());

  /** Windowed group-reward statistics per policy and judge version (the drift monitor's). */
  public static final Topic<String, GroupWindowStats> GROUP_REWARD_STATS =
      new Topic<>("group-reward-stats", Serdes.String(), AvroSerdes.groupWindowStats());

  private Topics() {}

  /** All default topics, input first; handy for creating them in tests and demos. */
  public static List<Topic<String, ?>> all() {
    return List.of(
        ROLLOUTS,
        REWARDS,
        ROLLOUTS_DLQ,
        REWARD_STATS,
        DRIFT_ALERTS,
        ROLLOUT_GROUPS,
        GROUP_REWARDS,
        GROUP_REWARD_STATS);
  }
}
