package io.rewardstream.judge.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rewardstream.judge.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroupScoresTest {

  private static Comparison judged(int i, int j, Verdict.Preference preferred, double p) {
    return new Comparison(new Match(i, j, 0), preferred, p, 1.0, "", null, 1, 10);
  }

  private static Comparison failed(int i, int j) {
    return new Comparison(new Match(i, j, 0), null, 0.5, null, "", "judge error", 0, 0);
  }

  @Test
  void rewardsAreCentredRanksShareTiesAndCountsAddUp() {
    List<Comparison> judged =
        List.of(
            judged(0, 1, Verdict.Preference.A, 0.9),
            judged(0, 2, Verdict.Preference.A, 0.9),
            judged(1, 2, Verdict.Preference.TIE, 0.5),
            failed(2, 0));

    GroupScores scores = GroupScores.of(3, judged);

    var r = scores.responses();
    assertThat(r.get(0).reward() + r.get(1).reward() + r.get(2).reward())
        .isCloseTo(0.0, within(1e-12));
    assertThat(r.get(0).rank()).isEqualTo(1);
    assertThat(r.get(1).rank()).isEqualTo(2);
    assertThat(r.get(2).rank()).isEqualTo(2); // 1 and 2 are symmetric: equal rewards, shared rank
    assertThat(r.get(0).wins()).isEqualTo(2);
    assertThat(r.get(1).ties()).isEqualTo(1);
    assertThat(r.get(2).losses()).isEqualTo(1);
    assertThat(r.get(0).failed()).isEqualTo(1);
    assertThat(scores.failedComparisons()).isEqualTo(1);
    assertThat(r.get(0).score()).isGreaterThan(0.5);
    assertThat(r.get(1).score()).isLessThan(0.5);
  }
}
