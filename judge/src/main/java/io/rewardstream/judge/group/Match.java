package io.rewardstream.judge.group;

/**
 * One comparison a strategy asks for: response {@code i} shown as A against response {@code j}
 * shown as B, in round {@code round} (0 for strategies with one round).
 *
 * @param i index of the response shown as A
 * @param j index of the response shown as B
 * @param round the round that asked for it
 */
public record Match(int i, int j, int round) {

  public Match {
    if (i < 0 || j < 0 || i == j) {
      throw new IllegalArgumentException(
          "a match needs two different responses, got " + i + ", " + j);
    }
    if (round < 0) {
      throw new IllegalArgumentException("round must be >= 0, got " + round);
    }
  }

  /** Whether this match is between responses a and b, in either order. */
  boolean between(int a, int b) {
    return (i == a && j == b) || (i == b && j == a);
  }
}
