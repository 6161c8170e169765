package io.rewardstream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.avro.DeadLetterReason;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DemoSampleTest {

  @Test
  void theBundledSampleHas24PairsWithTheTruthAndFiveBadRecords() {
    DemoSample sample = DemoSample.load("");

    assertThat(sample.truth()).hasSize(24);
    assertThat(sample.truth().values()).containsOnly("A", "B").contains("A", "B");
    assertThat(sample.expectedDeadLetters())
        .containsExactlyInAnyOrder(
            DeadLetterReason.DUPLICATE,
            DeadLetterReason.EMPTY_FIELD,
            DeadLetterReason.OVER_TOKEN_BUDGET,
            DeadLetterReason.UNDECODABLE,
            DeadLetterReason.UNDECODABLE);
    assertThat(sample.records()).hasSize(24 + 5);
    assertThat(sample.expectedOutputs()).isEqualTo(29);
  }

  @Test
  void theDuplicateFollowsItsOriginalSoItIsStillBuffered() {
    DemoSample sample = DemoSample.load("run1-");

    assertThat(sample.records().get(0).getKey()).isEqualTo("run1-demo-01");
    assertThat(sample.records().get(1).getKey()).isEqualTo("run1-demo-01");
    assertThat(
            Arrays.equals(sample.records().get(0).getValue(), sample.records().get(1).getValue()))
        .isTrue();
    assertThat(sample.keys()).contains("run1-demo-bad-garbage", "run1-demo-bad-empty");
  }
}
