package io.rewardstream.judge.group;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Which pairs of a group's responses are judged. A strategy is a pure function of the group size,
 * the group's seed and the comparisons judged so far ({@link #pending}), so a group's progress can
 * be stored as just its judged comparisons and resumed after a crash with the same plan.
 *
 * <p>Cost in comparisons for a group of N (each comparison is one pair for the judge, which in
 * {@code vote} and {@code reflect} modes samples it in both response orders):
 *
 * <ul>
 *   <li>{@link #ROUND_ROBIN}: every pair, N(N−1)/2 (N = 8: 28).
 *   <li>{@link #ANCHOR}: every response against one anchor, N−1 (N = 8: 7). The anchor is drawn
 *       with the group's seed: every other response meets the same opponent, so the fit ranks them
 *       by how they fare against it; a first pass to pick a "typical" anchor would cost comparisons
 *       the strategy exists to save. Weakness: against a very strong (or weak) anchor everyone
 *       loses (or wins) and the others are told apart only by the judge's confidence.
 *   <li>{@link #SWISS}: ⌈log2 N⌉ rounds of ⌊N/2⌋ comparisons, O(N log N) (N = 8: 12). Round 1 pairs
 *       a seeded shuffle; each later round fits Bradley–Terry to the rounds before it and pairs
 *       neighbours in that order that have not met yet, so comparisons go where the ranking is
 *       undecided (as in a Swiss chess tournament).
 * </ul>
 */
public enum GroupStrategy {
  ROUND_ROBIN("round-robin"),
  ANCHOR("anchor"),
  SWISS("swiss");

  private final String id;

  GroupStrategy(String id) {
    this.id = id;
  }

  /** The configuration name: {@code round-robin}, {@code anchor} or {@code swiss}. */
  public String id() {
    return id;
  }

  /**
   * The strategy with this configuration name.
   *
   * @throws IllegalArgumentException naming the valid names
   */
  public static GroupStrategy parse(String name) {
    String wanted = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    for (GroupStrategy s : values()) {
      if (s.id.equals(wanted)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown group strategy '" + name + "'; use round-robin, anchor or swiss");
  }

  /** Comparisons a group of n costs when no comparison fails. */
  public int cost(int n) {
    return switch (this) {
      case ROUND_ROBIN -> n * (n - 1) / 2;
      case ANCHOR -> n - 1;
      case SWISS -> rounds(n) * (n / 2);
    };
  }

  /**
   * The matches still to judge in the current round: empty when the group is done. Matches of a
   * round are all returned together (they can share a judge batch); the next round is planned once
   * they are all judged.
   *
   * @param n number of responses, at least 2
   * @param seed the group's seed (anchor choice, first swiss round)
   * @param judged the comparisons judged so far, failed ones included (they are not asked again)
   */
  public List<Match> pending(int n, long seed, List<Comparison> judged) {
    if (n < 2) {
      throw new IllegalArgumentException("a group needs at least 2 responses, got " + n);
    }
    int roundCount = this == SWISS ? rounds(n) : 1;
    for (int round = 0; round < roundCount; round++) {
      List<Match> planned = plan(round, n, seed, judged);
      List<Match> missing =
          planned.stream()
              .filter(m -> judged.stream().noneMatch(c -> c.match().equals(m)))
              .toList();
      if (!missing.isEmpty()) {
        return missing;
      }
    }
    return List.of();
  }

  private List<Match> plan(int round, int n, long seed, List<Comparison> judged) {
    return switch (this) {
      case ROUND_ROBIN -> roundRobin(n);
      case ANCHOR -> anchor(n, seed);
      case SWISS -> round == 0 ? swissFirst(n, seed) : swissNext(round, n, judged);
    };
  }

  /** Rounds of the swiss strategy: ⌈log2 n⌉. */
  static int rounds(int n) {
    return 32 - Integer.numberOfLeadingZeros(n - 1);
  }

  /**
   * Shows the lower index first in every other pair: the judge samples both orders in vote and
   * reflect modes, and greedy's one order should not always favour the same responses.
   */
  private static Match oriented(int a, int b, int round) {
    int lo = Math.min(a, b);
    int hi = Math.max(a, b);
    return (lo + hi) % 2 == 0 ? new Match(lo, hi, round) : new Match(hi, lo, round);
  }

  private static List<Match> roundRobin(int n) {
    List<Match> matches = new ArrayList<>();
    for (int a = 0; a < n; a++) {
      for (int b = a + 1; b < n; b++) {
        matches.add(oriented(a, b, 0));
      }
    }
    return matches;
  }

  /** The anchor of a group: drawn with its seed. */
  static int anchorOf(int n, long seed) {
    return new SplittableRandom(seed).nextInt(n);
  }

  private static List<Match> anchor(int n, long seed) {
    int anchor = anchorOf(n, seed);
    List<Match> matches = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      if (k != anchor) {
        matches.add(oriented(anchor, k, 0));
      }
    }
    return matches;
  }

  private static List<Match> swissFirst(int n, long seed) {
    int[] order = IntStream.range(0, n).toArray();
    SplittableRandom random = new SplittableRandom(seed);
    for (int k = n - 1; k > 0; k--) {
      int swap = random.nextInt(k + 1);
      int t = order[k];
      order[k] = order[swap];
      order[swap] = t;
    }
    List<Match> matches = new ArrayList<>();
    for (int k = 0; k + 1 < n; k += 2) {
      matches.add(oriented(order[k], order[k + 1], 0));
    }
    return matches;
  }

  /** Neighbours in the current Bradley–Terry order that have not met yet. */
  private static List<Match> swissNext(int round, int n, List<Comparison> judged) {
    List<Comparison> before = judged.stream().filter(c -> c.match().round() < round).toList();
    double[] strength =
        BradleyTerry.fit(n, GroupScores.outcomes(before), BradleyTerry.DEFAULT_PRIOR);
    List<Integer> order =
        IntStream.range(0, n)
            .boxed()
            .sorted(Comparator.comparingDouble((Integer k) -> -strength[k]).thenComparing(k -> k))
            .toList();
    boolean[] paired = new boolean[n];
    List<Match> matches = new ArrayList<>();
    for (int x = 0; x < n; x++) {
      int a = order.get(x);
      if (paired[a]) {
        continue;
      }
      for (int y = x + 1; y < n; y++) {
        int b = order.get(y);
        if (!paired[b] && before.stream().noneMatch(c -> c.match().between(a, b))) {
          paired[a] = true;
          paired[b] = true;
          matches.add(oriented(a, b, round));
          break;
        }
      }
    }
    return matches;
  }
}
