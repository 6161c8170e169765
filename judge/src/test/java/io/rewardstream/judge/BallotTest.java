package io.rewardstream.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rewardstream.judge.Ballot.Judgment;
import io.rewardstream.judge.Ballot.Outcome;
import io.rewardstream.judge.Verdict.CandidateVerdict;
import io.rewardstream.judge.Verdict.Order;
import io.rewardstream.judge.Verdict.Preference;
import java.util.List;
import org.junit.jupiter.api.Test;

class BallotTest {

  private static Judgment j(int index, Order order, CandidateVerdict verdict, double confidence) {
    return new Judgment(index, order, verdict, confidence);
  }

  @Test
  void confidenceIsMeanOfLowestTenPercentWithAtLeastOneToken() {
    // given 20 tokens: two of them unsure
    float[] lp = new float[20];
    lp[3] = -2f;
    lp[7] = -4f;
    // then the lowest 10 % = 2 tokens
    assertThat(Ballot.confidence(lp)).isCloseTo(-3.0, within(1e-9));
    // and with 3 tokens, ceil(0.3) = 1 token
    assertThat(Ballot.confidence(new float[] {-0.1f, -0.5f, -0.2f})).isCloseTo(-0.5, within(1e-6));
    assertThat(Ballot.confidence(new float[0])).isEqualTo(Double.NEGATIVE_INFINITY);
  }

  @Test
  void majorityPicksSideSmoothsPAndChoosesMostConfidentWinner() {
    List<Judgment> votes =
        List.of(
            j(0, Order.AB, CandidateVerdict.A, -0.5),
            j(1, Order.AB, CandidateVerdict.A, -0.1),
            j(2, Order.BA, CandidateVerdict.B, -0.01),
            j(3, Order.BA, CandidateVerdict.ABSTAIN, 0.0));
    Outcome o = Ballot.majority(votes);
    assertThat(o.preferred()).isEqualTo(Preference.A);
    assertThat(o.pABetter()).isCloseTo((1 + 2) / (2.0 + 3), within(1e-12));
    assertThat(o.chosenIndex()).isEqualTo(1); // most confident on side A, not the B voter
    assertThat(o.rewardA()).isCloseTo(0.1, within(1e-12));
    assertThat(o.rewardB()).isCloseTo(-0.1, within(1e-12));
  }

  @Test
  void tiedOrEmptyMajorityIsTieAtOneHalf() {
    Outcome tie =
        Ballot.majority(
            List.of(
                j(0, Order.AB, CandidateVerdict.A, -1), j(1, Order.BA, CandidateVerdict.B, -2)));
    assertThat(tie.preferred()).isEqualTo(Preference.TIE);
    assertThat(tie.pABetter()).isEqualTo(0.5);
    assertThat(tie.chosenIndex()).isEqualTo(0);

    Outcome allAbstain =
        Ballot.majority(
            List.of(
                j(0, Order.AB, CandidateVerdict.ABSTAIN, -1),
                j(1, Order.BA, CandidateVerdict.ABSTAIN, -2)));
    assertThat(allAbstain.preferred()).isEqualTo(Preference.TIE);
    assertThat(allAbstain.chosenIndex()).isEqualTo(-1);
  }

  @Test
  void anchorsAreTheMostConfidentVoterOfEachOrder() {
    List<Judgment> all =
        List.of(
            j(0, Order.AB, CandidateVerdict.A, -0.3),
            j(1, Order.AB, CandidateVerdict.ABSTAIN, -0.01), // abstains never anchor
            j(2, Order.AB, CandidateVerdict.B, -0.2),
            j(3, Order.BA, CandidateVerdict.A, -0.9),
            j(4, Order.BA, CandidateVerdict.A, -0.4));
    assertThat(Ballot.anchors(all)).extracting(Judgment::index).containsExactly(2, 4);
  }

  @Test
  void reflectVotesAmongWinnersOnly() {
    List<Judgment> anchors =
        List.of(j(0, Order.AB, CandidateVerdict.B, -0.1), j(4, Order.BA, CandidateVerdict.B, -0.1));
    List<Judgment> winners =
        List.of(j(1, Order.AB, CandidateVerdict.A, -0.5), j(5, Order.BA, CandidateVerdict.A, -0.2));
    Outcome o = Ballot.reflect(winners, anchors);
    assertThat(o.preferred()).isEqualTo(Preference.A);
    assertThat(o.chosenIndex()).isEqualTo(5);
    assertThat(o.pABetter()).isCloseTo(3 / 4.0, within(1e-12));
  }

  @Test
  void reflectAddsAnchorsWhenWinnersEmptyOrTied() {
    List<Judgment> anchors =
        List.of(j(0, Order.AB, CandidateVerdict.B, -0.1), j(4, Order.BA, CandidateVerdict.B, -0.3));
    // empty winner group: the anchors decide
    Outcome empty = Ballot.reflect(List.of(), anchors);
    assertThat(empty.preferred()).isEqualTo(Preference.B);
    assertThat(empty.chosenIndex()).isEqualTo(0);
    // tied winners: anchors break the tie
    List<Judgment> tied =
        List.of(j(1, Order.AB, CandidateVerdict.A, -0.5), j(5, Order.BA, CandidateVerdict.B, -0.2));
    Outcome broken = Ballot.reflect(tied, anchors);
    assertThat(broken.preferred()).isEqualTo(Preference.B);
    assertThat(broken.pABetter()).isCloseTo(2 / 6.0, within(1e-12));
    // still tied after adding anchors: TIE
    Outcome stillTied =
        Ballot.reflect(
            tied,
            List.of(
                j(0, Order.AB, CandidateVerdict.A, -0.1),
                j(4, Order.BA, CandidateVerdict.B, -0.1)));
    assertThat(stillTied.preferred()).isEqualTo(Preference.TIE);
  }

  @Test
  void positionConsistencyComparesShareOfAAcrossOrders() {
    List<Judgment> consistent =
        List.of(j(0, Order.AB, CandidateVerdict.A, 0), j(1, Order.BA, CandidateVerdict.A, 0));
    assertThat(Ballot.positionConsistency(consistent)).isEqualTo(1.0);
    List<Judgment> biased =
        List.of(
            j(0, Order.AB, CandidateVerdict.A, 0),
            j(1, Order.AB, CandidateVerdict.A, 0),
            j(2, Order.BA, CandidateVerdict.B, 0),
            j(3, Order.BA, CandidateVerdict.A, 0));
    assertThat(Ballot.positionConsistency(biased)).isCloseTo(0.5, within(1e-12));
    List<Judgment> oneOrderOnly = List.of(j(0, Order.AB, CandidateVerdict.A, 0));
    assertThat(Ballot.positionConsistency(oneOrderOnly)).isNull();
  }
}
