package io.rewardstream.judge.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewardstream.judge.Verdict;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GroupStrategyTest {

  /** Judges every pending match with a fixed truth: the lower index is better, confidently. */
  private static List<Comparison> runToTheEnd(GroupStrategy strategy, int n, long seed) {
    List<Comparison> judged = new ArrayList<>();
    for (List<Match> pending = strategy.pending(n, seed, judged);
        !pending.isEmpty();
        pending = strategy.pending(n, seed, judged)) {
      for (Match m : pending) {
        boolean aBetter = m.i() < m.j();
        judged.add(
            new Comparison(
                m,
                aBetter ? Verdict.Preference.A : Verdict.Preference.B,
                aBetter ? 0.95 : 0.05,
                1.0,
                "",
                null,
                1,
                10));
      }
    }
    return judged;
  }

  private static Set<Set<Integer>> unorderedPairs(List<Comparison> judged) {
    Set<Set<Integer>> pairs = new HashSet<>();
    judged.forEach(c -> pairs.add(Set.of(c.match().i(), c.match().j())));
    return pairs;
  }

  @Test
  void roundRobinJudgesEveryPairOnceInOneRound() {
    List<Comparison> judged = runToTheEnd(GroupStrategy.ROUND_ROBIN, 6, 7);

    assertThat(judged).hasSize(15).hasSize(GroupStrategy.ROUND_ROBIN.cost(6));
    assertThat(unorderedPairs(judged)).hasSize(15);
    assertThat(judged).allMatch(c -> c.match().round() == 0);
    // both orientations are used: no response is always shown first
    assertThat(judged).anyMatch(c -> c.match().i() > c.match().j());
  }

  @Test
  void anchorJudgesEveryOtherResponseAgainstOneSeededAnchor() {
    List<Comparison> judged = runToTheEnd(GroupStrategy.ANCHOR, 8, 42);
    int anchor = GroupStrategy.anchorOf(8, 42);

    assertThat(judged).hasSize(7);
    assertThat(judged).allMatch(c -> c.match().i() == anchor || c.match().j() == anchor);
    assertThat(runToTheEnd(GroupStrategy.ANCHOR, 8, 42)).isEqualTo(judged);
  }

  @Test
  void swissPlaysLogNRoundsWithoutRematchesAndRanksAChainCorrectly() {
    List<Comparison> judged = runToTheEnd(GroupStrategy.SWISS, 8, 3);

    assertThat(judged).hasSize(12).hasSize(GroupStrategy.SWISS.cost(8));
    assertThat(unorderedPairs(judged)).hasSize(12); // no pair met twice
    assertThat(judged).extracting(c -> c.match().round()).containsOnly(0, 1, 2);
    // the truth is 0 > 1 > ... > 7; the top response ends first, the bottom last
    GroupScores scores = GroupScores.of(8, judged);
    assertThat(scores.responses().get(0).rank()).isEqualTo(1);
    assertThat(scores.responses().get(7).rank()).isEqualTo(8);
    assertThat(GroupStrategy.SWISS.cost(8)).isLessThan(GroupStrategy.ROUND_ROBIN.cost(8) / 2);
  }

  @Test
  void thePlanIsDeterministicAndResumesFromAnyPrefix() {
    List<Comparison> full = runToTheEnd(GroupStrategy.SWISS, 9, 11);
    assertThat(runToTheEnd(GroupStrategy.SWISS, 9, 11)).isEqualTo(full);

    // after a crash only the judged prefix survives: the plan asks for exactly the rest of its
    // round
    List<Comparison> prefix = full.subList(0, 5);
    List<Match> pending = GroupStrategy.SWISS.pending(9, 11, prefix);
    int round = pending.get(0).round();
    assertThat(pending)
        .containsExactlyElementsOf(
            full.stream()
                .skip(5)
                .filter(c -> c.match().round() == round)
                .map(Comparison::match)
                .toList());
  }

  @Test
  void namesParseAndBadOnesAreNamed() {
    assertThat(GroupStrategy.parse("Round-Robin")).isEqualTo(GroupStrategy.ROUND_ROBIN);
    assertThat(GroupStrategy.parse("swiss").id()).isEqualTo("swiss");
    assertThatThrownBy(() -> GroupStrategy.parse("elo"))
        .hasMessageContaining("'elo'")
        .hasMessageContaining("round-robin, anchor or swiss");
  }
}
