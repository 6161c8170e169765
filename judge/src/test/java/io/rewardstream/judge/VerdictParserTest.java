package io.rewardstream.judge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class VerdictParserTest {

  private final VerdictParser responses =
      new VerdictParser(
          Pattern.compile("<Result>Response ([12]) is better than Response ([12])</Result>"),
          List.of("1", "2"));

  @Test
  void readsTheWinnerFromTheResultBlock() {
    assertThat(
            responses.winner(
                "<Analysis>7+5=12. Response 2 says 12.</Analysis>"
                    + "<Result>Response 2 is better than Response 1</Result>"))
        .hasValue(1);
    assertThat(responses.winner("<Result>Response 1 is better than Response 2</Result>"))
        .hasValue(0);
  }

  @Test
  void malformedResultsAreNoVerdict() {
    assertThat(responses.winner("<Analysis>unfinished")).isEmpty();
    assertThat(responses.winner("<Result>Response 1 is better than Response 1</Result>")).isEmpty();
    assertThat(responses.winner("<Result>Response 3 is better than Response 1</Result>")).isEmpty();
    assertThat(responses.winner("<Result>Response 1 is better than Response 2")).isEmpty();
    // two result blocks contradict each other: strict parsing refuses both
    assertThat(
            responses.winner(
                "<Result>Response 1 is better than Response 2</Result>"
                    + "<Result>Response 2 is better than Response 1</Result>"))
        .isEmpty();
  }

  @Test
  void rmR1StyleSingleGroupPatternWithLetterLabels() {
    VerdictParser rmR1 =
        new VerdictParser(
            Pattern.compile("<answer>\\[\\[([AB])\\]\\]</answer>"), List.of("A", "B"));
    assertThat(rmR1.winner("<rubric>..</rubric><answer>[[B]]</answer>")).hasValue(1);
    assertThat(rmR1.winner("<answer>[[C]]</answer>")).isEmpty();
  }
}
