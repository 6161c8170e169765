package io.rewardstream.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Each expected value is worked out by hand in the comment above its assertion. */
class DriftMathTest {

  private static final double EPS = 1e-6;

  @Test
  void psiOfTwoHistogramsMatchesTheHandComputedValue() {
    // given: shares e = (.5, .3, .2) and a = (.3, .3, .4)
    long[] expected = {50, 30, 20};
    long[] actual = {30, 30, 40};

    // when
    double psi = DriftMath.psi(expected, actual);

    // then: (.3-.5)·ln(.3/.5) + (.3-.3)·ln(1) + (.4-.2)·ln(.4/.2)
    //     = (-.2)·(-0.5108256) + 0 + (.2)·(0.6931472)
    //     = 0.1021651 + 0.1386294 = 0.2407946
    assertThat(psi).isCloseTo(0.2407946, within(EPS));
  }

  @Test
  void psiIsSymmetricAndZeroForIdenticalShares() {
    long[] a = {50, 30, 20};
    long[] b = {30, 30, 40};
    // (a-e)·ln(a/e) does not change when a and e swap: both factors change sign.
    assertThat(DriftMath.psi(b, a)).isCloseTo(DriftMath.psi(a, b), within(1e-12));
    // Same shares at different sample sizes: every term is (x-x)·ln(1) = 0.
    assertThat(DriftMath.psi(new long[] {5, 3, 2}, new long[] {50, 30, 20})).isZero();
  }

  @Test
  void anEmptyBinCountsAsHalfAnObservation() {
    // given: the window (n = 20) has nothing in its second bin
    long[] expected = {10, 10};
    long[] actual = {20, 0};

    // when
    double psi = DriftMath.psi(expected, actual);

    // then: the empty bin gets 0.5/20 = 0.025 (not renormalised), so a = (1.0, .025), e = (.5, .5)
    //   (1-.5)·ln(1/.5) + (.025-.5)·ln(.025/.5)
    // = .5·0.6931472 + (-.475)·(-2.9957323)
    // = 0.3465736 + 1.4229728 = 1.7695464
    assertThat(psi).isCloseTo(1.7695464, within(EPS));
  }

  @Test
  void aBinEmptyInBothHistogramsIsSkipped() {
    // given: the middle bin is empty on both sides; e = (.5, -, .5), a = (.25, -, .75)
    long[] expected = {10, 0, 10};
    long[] actual = {5, 0, 15};

    // then: (.25-.5)·ln(.25/.5) + (.75-.5)·ln(.75/.5)
    //     = (-.25)·(-0.6931472) + .25·0.4054651 = 0.1732868 + 0.1013663 = 0.2746531
    assertThat(DriftMath.psi(expected, actual)).isCloseTo(0.2746531, within(EPS));
  }

  @Test
  void ksStatisticIsTheLargestCdfGapAtTheBinEdges() {
    // CDF_ref = (.5, .8, 1.0), CDF_win = (.3, .6, 1.0); gaps .2, .2, 0 → D = 0.2
    assertThat(DriftMath.ksStatistic(new long[] {50, 30, 20}, new long[] {30, 30, 40}))
        .isCloseTo(0.2, within(1e-12));
    // Different sizes, same shares: every gap is 0.
    assertThat(DriftMath.ksStatistic(new long[] {1, 2, 1}, new long[] {10, 20, 10})).isZero();
    // Disjoint supports: CDF_ref = (1, 1), CDF_win = (0, 1) → D = 1.
    assertThat(DriftMath.ksStatistic(new long[] {7, 0}, new long[] {0, 9})).isEqualTo(1.0);
  }

  @Test
  void ksCriticalValueAtTheUsualLevels() {
    // n = m = 100: sqrt((n+m)/(n·m)) = sqrt(200/10000) = sqrt(0.02) = 0.1414214
    // alpha .01: c = sqrt(-ln(.005)/2) = sqrt(5.2983174/2) = sqrt(2.6491587) = 1.6276236
    //   → 1.6276236 · 0.1414214 = 0.2301807
    assertThat(DriftMath.ksCriticalValue(0.01, 100, 100)).isCloseTo(0.2301807, within(EPS));
    // alpha .05: c = sqrt(-ln(.025)/2) = sqrt(3.6888795/2) = 1.3581015 → 0.1920646
    assertThat(DriftMath.ksCriticalValue(0.05, 100, 100)).isCloseTo(0.1920646, within(EPS));
    // So D = 0.2 from the histograms above is significant at .05 but not at .01.
  }

  @Test
  void ksPValueFollowsTheKolmogorovSeries() {
    // Ne = 100·100/200 = 50, sqrt(Ne) = 7.0710678
    // λ = (7.0710678 + 0.12 + 0.11/7.0710678) · 0.2 = (7.0710678 + 0.12 + 0.0155563) · 0.2
    //   = 7.2066241 · 0.2 = 1.4413248;  2λ² = 4.1548347
    // Q = 2·(e^(-2λ²) - e^(-8λ²) + ...) = 2·(0.0156884 - 6.1e-8) = 0.0313767
    assertThat(DriftMath.ksPValue(0.2, 100, 100)).isCloseTo(0.0313767, within(1e-6));
    // Consistent with the critical values: 0.01 < p < 0.05.
    assertThat(DriftMath.ksPValue(0.0, 100, 100)).isEqualTo(1.0);
  }

  @Test
  void meanShiftIsTheDifferenceInStandardErrors() {
    // |1.0 - 0.5| / sqrt(4/100 + 9/100) = 0.5 / sqrt(0.13) = 0.5 / 0.3605551 = 1.3867505
    assertThat(DriftMath.meanShift(1.0, 4.0, 100, 0.5, 9.0, 100)).isCloseTo(1.3867505, within(EPS));
    // Same mean → 0, whatever the variances; different means with no variance → infinite.
    assertThat(DriftMath.meanShift(0.3, 0.0, 10, 0.3, 0.0, 10)).isZero();
    assertThat(DriftMath.meanShift(0.3, 0.0, 10, 0.2, 0.0, 10)).isInfinite();
  }

  @Test
  void binsAreHalfOpenAndTheLastHoldsOne() {
    // 10 bins: [0,.1) [.1,.2) ... [.9,1]
    assertThat(DriftMath.binOf(0.0, 10)).isZero();
    assertThat(DriftMath.binOf(0.0999, 10)).isZero();
    assertThat(DriftMath.binOf(0.1, 10)).isEqualTo(1);
    assertThat(DriftMath.binOf(0.9, 10)).isEqualTo(9); // the judge's smoothed 9/10 maximum
    assertThat(DriftMath.binOf(1.0, 10)).isEqualTo(9);
    assertThat(DriftMath.binOf(-0.5, 10)).isZero();
    assertThat(DriftMath.binOf(1.5, 10)).isEqualTo(9);
  }

  @Test
  void malformedHistogramsAreRejectedWithTheReason() {
    assertThatThrownBy(() -> DriftMath.psi(new long[] {1, 2}, new long[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("different bin counts: 2 and 3");
    assertThatThrownBy(() -> DriftMath.ksStatistic(new long[] {0, 0}, new long[] {1, 2}))
        .hasMessageContaining("reference histogram is empty");
    assertThatThrownBy(() -> DriftMath.psi(new long[] {-1, 2}, new long[] {1, 2}))
        .hasMessageContaining("negative count -1");
    assertThatThrownBy(() -> DriftMath.ksCriticalValue(0.0, 10, 10))
        .hasMessageContaining("alpha must be in (0, 1)");
  }

  @Test
  void pooledMomentsEqualTheMomentsOfTheUnion() {
    // {1, 3}: n 2, mean 2, M2 = 1 + 1 = 2.  {5}: n 1, mean 5, M2 = 0.
    Moments left = Moments.EMPTY.plus(1).plus(3);
    Moments right = Moments.EMPTY.plus(5);
    assertThat(left.mean()).isEqualTo(2.0);
    assertThat(left.variance()).isEqualTo(2.0);

    // Chan: delta = 5 - 2 = 3; mean = 2 + 3·1/3 = 3; M2 = 2 + 0 + 3²·(2·1/3) = 8; var = 8/2 = 4
    // = the sample variance of {1, 3, 5}: ((1-3)² + 0 + (5-3)²) / 2 = 4.
    Moments pooled = left.merge(right);
    assertThat(pooled.n()).isEqualTo(3);
    assertThat(pooled.mean()).isCloseTo(3.0, within(1e-12));
    assertThat(pooled.variance()).isCloseTo(4.0, within(1e-12));

    // From a published summary (n, mean, sample std) and back.
    Moments fromSummary = Moments.of(2, 2.0, Math.sqrt(2.0));
    assertThat(fromSummary.m2()).isCloseTo(2.0, within(1e-12));
    assertThat(Moments.EMPTY.plus(7).variance()).isNaN();
  }
}
