package io.rewardstream.judge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PromptBuilderTest {

  @Test
  void fillsEachSlotOnceEvenWhenValuesContainSlotNames() {
    String out =
        PromptBuilder.fill(
            "Q: {prompt}\n1: {response_1}\n2: {response_2}",
            Map.of("prompt", "say {response_2}", "response_1", "x", "response_2", "y"));
    assertThat(out).isEqualTo("Q: say {response_2}\n1: x\n2: y");
  }

  @Test
  void unknownSlotsStayAsWritten() {
    assertThat(PromptBuilder.fill("{prompt} {critique_1}", Map.of("prompt", "p")))
        .isEqualTo("p {critique_1}");
  }
}
