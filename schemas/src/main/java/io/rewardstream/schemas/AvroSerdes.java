package io.rewardstream.schemas;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DriftAlert;
import io.rewardstream.avro.GroupRewardResult;
import io.rewardstream.avro.GroupWindowStats;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RewardWindowStats;
import io.rewardstream.avro.RolloutGroup;
import io.rewardstream.avro.RolloutPair;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * The single-object-encoding serdes of the RewardStream records, one shared instance each.
 *
 * <p>One place to get them keeps every module on the same wire format and the same schema history;
 * the serdes are stateless, so sharing is safe.
 */
public final class AvroSerdes {

  private static final SingleObjectSerde<RolloutPair> ROLLOUT_PAIR = forType(RolloutPair.class);
  private static final SingleObjectSerde<RewardResult> REWARD_RESULT = forType(RewardResult.class);
  private static final SingleObjectSerde<DeadLetter> DEAD_LETTER = forType(DeadLetter.class);
  private static final SingleObjectSerde<RewardWindowStats> REWARD_WINDOW_STATS =
      forType(RewardWindowStats.class);
  private static final SingleObjectSerde<DriftAlert> DRIFT_ALERT = forType(DriftAlert.class);
  private static final SingleObjectSerde<RolloutGroup> ROLLOUT_GROUP = forType(RolloutGroup.class);
  private static final SingleObjectSerde<GroupRewardResult> GROUP_REWARD_RESULT =
      forType(GroupRewardResult.class);
  private static final SingleObjectSerde<GroupWindowStats> GROUP_WINDOW_STATS =
      forType(GroupWindowStats.class);

  private AvroSerdes() {}

  /** Serde for the actor's rollout pairs (input topic). */
  public static Serde<RolloutPair> rolloutPair() {
    return ROLLOUT_PAIR;
  }

  /** Serde for the judge's rewards. */
  public static Serde<RewardResult> rewardResult() {
    return REWARD_RESULT;
  }

  /** Serde for dead-letter records. */
  public static Serde<DeadLetter> deadLetter() {
    return DEAD_LETTER;
  }

  /** Serde for windowed reward statistics. */
  public static Serde<RewardWindowStats> rewardWindowStats() {
    return REWARD_WINDOW_STATS;
  }

  /** Serde for drift alerts. */
  public static Serde<DriftAlert> driftAlert() {
    return DRIFT_ALERT;
  }

  /** Serde for the actor's rollout groups (group input topic). */
  public static Serde<RolloutGroup> rolloutGroup() {
    return ROLLOUT_GROUP;
  }

  /** Serde for group rewards. */
  public static Serde<GroupRewardResult> groupRewardResult() {
    return GROUP_REWARD_RESULT;
  }

  /** Serde for windowed group-reward statistics (group stats topic). */
  public static Serde<GroupWindowStats> groupWindowStats() {
    return GROUP_WINDOW_STATS;
  }

  /** A new serde for any generated record, resolving writers against {@link SchemaHistory}. */
  public static <T extends SpecificRecord> SingleObjectSerde<T> forType(Class<T> type) {
    return new SingleObjectSerde<>(type);
  }
}
