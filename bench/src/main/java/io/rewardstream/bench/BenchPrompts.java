package io.rewardstream.bench;

import io.rewardstream.inference.LanguageModel;
import java.util.Arrays;

/**
 * Fixed prompts for the engine benchmarks, so every run (and the PyTorch script, which builds the
 * same ids) feeds the same tokens.
 */
public final class BenchPrompts {

  /**
   * A response-preference prompt in the bundled judge's template. Ending in "Judge:" makes the
   * trained judge start an analysis (about 125 bytes), so a greedy decode of 64 tokens runs its
   * full length instead of stopping at EOS; on a random-weight model any text does.
   */
  public static final String JUDGE_PROMPT =
      "Question: Tom has 3 boxes with 4 pens in each. Ana has 9 cups. How many pens does Tom"
          + " have?\nResponse 1: Tom has 12 pens.\nResponse 2: The answer is 7.\nJudge:";

  private BenchPrompts() {}

  /**
   * Exactly {@code tokens} prompt ids: BOS (when the model uses it) and then the last ids of {@link
   * #JUDGE_PROMPT}, repeated at the front when it is too short.
   */
  public static int[] fixedLength(LanguageModel model, int tokens) {
    if (tokens < 2) {
      throw new IllegalArgumentException("--prompt-tokens must be >= 2, got " + tokens);
    }
    int[] text = model.encode(JUDGE_PROMPT);
    int bos = model.config().addBos() ? model.config().bosTokenId() : -1;
    int body = bos >= 0 ? tokens - 1 : tokens;
    int[] out = new int[tokens];
    int start = tokens - body;
    if (bos >= 0) {
      out[0] = bos;
    }
    for (int i = 0; i < body; i++) {
      // walk backwards from the end of the text so the prompt always ends in "Judge:"
      int fromEnd = body - i;
      out[start + i] = text[Math.floorMod(text.length - fromEnd, text.length)];
    }
    return out;
  }

  /** The whole judge prompt with BOS: the prompt whose prefill the judge shares among samples. */
  public static int[] judgePrompt(LanguageModel model) {
    return model.encodePrompt(JUDGE_PROMPT);
  }

  /** For logs: the first ids of a prompt. */
  static String head(int[] ids) {
    return Arrays.toString(Arrays.copyOf(ids, Math.min(8, ids.length))) + "...";
  }
}
