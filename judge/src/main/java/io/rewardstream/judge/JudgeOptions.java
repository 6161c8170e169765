package io.rewardstream.judge;

import java.util.Locale;

/**
 * How the judge scores, chosen by config.
 *
 * @param mode greedy, vote or reflect
 * @param samples sampled judgments per pair in vote/reflect (0 = judge.json default); half are
 *     shown the responses in order A,B and half in order B,A
 * @param temperature sampling temperature of judgments (NaN = judge.json default)
 */
public record JudgeOptions(Mode mode, int samples, double temperature) {

  /** Scoring modes; see docs/judge.md, "Modes, anchors and rewards". */
  public enum Mode {
    /** One greedy judgment per order; agreeing gives the verdict, disagreeing a tie. */
    GREEDY,
    /** N sampled judgments, majority. */
    VOTE,
    /** ReflectRM: N sampled judgments, anchors, self-reflection, winners vote. */
    REFLECT;

    /** Parses "greedy", "vote" or "reflect" (any case). */
    public static Mode parse(String text) {
      try {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "judge mode must be greedy, vote or reflect, got '" + text + "'", e);
      }
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public JudgeOptions {
    if (mode == null) {
      throw new IllegalArgumentException("judge mode must be greedy, vote or reflect, got null");
    }
    if (samples < 0 || samples == 1 && mode != Mode.GREEDY) {
      throw new IllegalArgumentException(
          "judge samples must be 0 (default) or >= 2 (half per order), got " + samples);
    }
  }

  /** ReflectRM with the model's default samples and temperature. */
  public static JudgeOptions defaults() {
    return new JudgeOptions(Mode.REFLECT, 0, Double.NaN);
  }
}
