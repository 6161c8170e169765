package io.rewardstream.judge;

import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a verdict strictly from a generation's result block: exactly one match of the pattern,
 * naming one of the two labels as the winner (and the other as the loser when the pattern has a
 * second group). Anything else is no verdict: the caller counts it as an abstention.
 */
final class VerdictParser {

  private final Pattern pattern;
  private final List<String> labels;

  VerdictParser(Pattern pattern, List<String> labels) {
    this.pattern = pattern;
    this.labels = labels;
  }

  /** 0 when the first-shown item won, 1 when the second won, empty when unparseable. */
  OptionalInt winner(String text) {
    Matcher m = pattern.matcher(text);
    if (!m.find()) {
      return OptionalInt.empty();
    }
    int winner = labels.indexOf(m.group(1));
    boolean loserOk = m.groupCount() < 2 || labels.indexOf(m.group(2)) == 1 - winner;
    boolean single = !m.find();
    return winner >= 0 && loserOk && single ? OptionalInt.of(winner) : OptionalInt.empty();
  }
}
