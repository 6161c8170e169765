package io.rewardstream.judge.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rewardstream.judge.group.BradleyTerry.Outcome;
import java.util.List;
import org.junit.jupiter.api.Test;

class BradleyTerryTest {

  @Test
  void aSoftOutcomeWithAVanishingPriorRecoversItsLogOdds() {
    // one comparison, p = σ(1): the maximum likelihood difference is exactly 1
    double[] s = BradleyTerry.fit(2, List.of(new Outcome(0, 1, BradleyTerry.sigmoid(1.0))), 1e-9);

    assertThat(s[0] - s[1]).isCloseTo(1.0, within(1e-6));
    assertThat(s[0] + s[1]).isCloseTo(0.0, within(1e-12));
  }

  @Test
  void aClearWinnerStaysFiniteWhereTheGradientVanishes() {
    // hard win: maximise log σ(2x) − λ x² with s = (x, −x); stationary at 1 − σ(2x) = λ x
    double prior = 0.1;
    double[] s = BradleyTerry.fit(2, List.of(new Outcome(0, 1, 1.0)), prior);

    double x = s[0];
    assertThat(s[1]).isCloseTo(-x, within(1e-12));
    assertThat(1 - BradleyTerry.sigmoid(2 * x)).isCloseTo(prior * x, within(1e-10));
    assertThat(x).isBetween(1.0, 3.0); // x ≈ 1.63 for λ = 0.1
  }

  @Test
  void aPerfectCycleAndAllTiesGiveEqualStrengths() {
    List<Outcome> cycle =
        List.of(new Outcome(0, 1, 1.0), new Outcome(1, 2, 1.0), new Outcome(2, 0, 1.0));
    List<Outcome> ties =
        List.of(new Outcome(0, 1, 0.5), new Outcome(1, 2, 0.5), new Outcome(0, 2, 0.5));

    for (double[] s : List.of(BradleyTerry.fit(3, cycle, 0.1), BradleyTerry.fit(3, ties, 0.1))) {
      assertThat(s).containsExactly(new double[] {0, 0, 0}, within(1e-9));
    }
  }

  @Test
  void aChainIsOrderedAndAResponseWithoutComparisonsSitsAtTheMean() {
    // 0 > 1 > 2 (confidently); 3 was never compared
    List<Outcome> chain = List.of(new Outcome(0, 1, 0.9), new Outcome(1, 2, 0.9));
    double[] s = BradleyTerry.fit(4, chain, 0.1);

    assertThat(s[0]).isGreaterThan(s[1]);
    assertThat(s[1]).isGreaterThan(s[2]);
    // the fit is centred, and the prior pulls an uncompared response to the prior's mode (0); the
    // three compared ones sum to 0 by symmetry of the chain around 1
    assertThat(s[0] + s[1] + s[2] + s[3]).isCloseTo(0.0, within(1e-12));
    assertThat(s[3]).isCloseTo(0.0, within(1e-9));
    assertThat(s[1]).isCloseTo(0.0, within(1e-9));
  }
}
