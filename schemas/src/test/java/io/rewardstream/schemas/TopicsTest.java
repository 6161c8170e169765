package io.rewardstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewardstream.avro.RolloutPair;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void defaultTopicsHaveTheDocumentedNames() {
    assertThat(Topics.all())
        .extracting(Topic::name)
        .containsExactly(
            "rollouts",
            "rewards",
            "rollouts-dlq",
            "reward-stats",
            "reward-drift-alerts",
            "rollout-groups",
            "group-rewards",
            "group-reward-stats");
  }

  @Test
  void topicsCarryStringKeysAndTheirRecordSerdes() {
    assertThat(Topics.ROLLOUTS.valueSerde()).isSameAs(AvroSerdes.rolloutPair());
    assertThat(Topics.REWARDS.valueSerde()).isSameAs(AvroSerdes.rewardResult());
    assertThat(Topics.ROLLOUTS_DLQ.valueSerde()).isSameAs(AvroSerdes.deadLetter());
    assertThat(Topics.REWARD_STATS.valueSerde()).isSameAs(AvroSerdes.rewardWindowStats());
    assertThat(Topics.DRIFT_ALERTS.valueSerde()).isSameAs(AvroSerdes.driftAlert());
    assertThat(Topics.all())
        .allSatisfy(t -> assertThat(t.keySerde()).isInstanceOf(Serdes.String().getClass()));
  }

  @Test
  void withNameCopiesTheSerdesAndLeavesTheConstantAlone() {
    // when
    Topic<String, RolloutPair> renamed = Topics.ROLLOUTS.withName("team-a.rollouts");

    // then
    assertThat(renamed.name()).isEqualTo("team-a.rollouts");
    assertThat(renamed.valueSerde()).isSameAs(Topics.ROLLOUTS.valueSerde());
    assertThat(renamed.keySerde()).isSameAs(Topics.ROLLOUTS.keySerde());
    assertThat(Topics.ROLLOUTS.name()).isEqualTo("rollouts");
  }

  @Test
  void illegalTopicNamesFailFast() {
    assertThatThrownBy(() -> Topics.ROLLOUTS.withName("roll outs"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'roll outs'");
    assertThatThrownBy(() -> Topics.ROLLOUTS.withName(""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Topics.ROLLOUTS.withName(".."))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
