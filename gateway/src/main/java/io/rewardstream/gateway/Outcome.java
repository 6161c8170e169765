package io.rewardstream.gateway;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.GroupRewardResult;
import io.rewardstream.avro.RewardResult;

/** What came back for one item: a pair's result, a group's result, or a dead letter. */
sealed interface Outcome {

  /** A pair's RewardResult (status OK or FAILED). */
  record Pair(RewardResult result) implements Outcome {}

  /** A group's GroupRewardResult (status OK or FAILED). */
  record Group(GroupRewardResult result) implements Outcome {}

  /** The item was dead-lettered: its reason code and text. */
  record Dead(DeadLetter letter) implements Outcome {}
}
