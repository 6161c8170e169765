package io.rewardstream.judge;

import io.rewardstream.inference.Generation;
import io.rewardstream.inference.GenerationRequest;
import io.rewardstream.inference.LanguageModel;
import io.rewardstream.inference.SamplingParams;
import java.util.List;

/**
 * What the judge does when a generation ends without a parseable verdict (it ran out of tokens, or
 * wrote something the pattern does not accept): it appends the verdict line's opening ({@code
 * <Result>Response }) to what was generated and lets the model pick the winner's label in one
 * constrained step (the engine's logit mask: only the label tokens are allowed), then completes the
 * line. A judgment always ends in a verdict; the forced label's log-probability (over the whole
 * vocabulary, so a model that did not want to answer there scores low) joins the judgment's
 * confidence, which keeps a reluctant answer from becoming the anchor over a fluent one.
 *
 * <p>judge.json:
 *
 * <pre>
 * "forced_verdict": {
 *   "response": "&lt;Result&gt;Response {label} is better than Response {other}&lt;/Result&gt;",
 *   "critique": "&lt;Result&gt;Critique {label} is better than Critique {other}&lt;/Result&gt;"
 * }
 * </pre>
 *
 * Without the section a generation without a verdict stays an abstention (votes for nobody). Each
 * label must be a single token of the model's vocabulary (checked at start).
 */
final class VerdictForcing {

  private static final String LABEL = "{label}";
  private static final String OTHER = "{other}";

  private final String template;
  private final List<String> labels;
  private final int[] prefixIds;
  private final int[] labelIds;

  private VerdictForcing(String template, List<String> labels, LanguageModel model, String what) {
    int at = template.indexOf(LABEL);
    if (at < 0 || !template.contains(OTHER)) {
      throw new IllegalArgumentException(
          "judge.json: forced_verdict."
              + what
              + " must contain {label} and {other}, got: "
              + template);
    }
    this.template = template;
    this.labels = labels;
    this.prefixIds = model.encode("\n" + template.substring(0, at));
    this.labelIds = new int[labels.size()];
    for (int i = 0; i < labels.size(); i++) {
      int[] ids = model.encode(labels.get(i));
      if (ids.length != 1) {
        throw new IllegalArgumentException(
            "judge.json: forced_verdict."
                + what
                + ": label '"
                + labels.get(i)
                + "' is "
                + ids.length
                + " tokens for this tokenizer; forcing needs single-token labels (remove"
                + " forced_verdict to count such judgments as abstentions)");
      }
      labelIds[i] = ids[0];
    }
    if (labelIds.length == 2 && labelIds[0] == labelIds[1]) {
      throw new IllegalArgumentException(
          "judge.json: forced_verdict." + what + ": the labels are the same token");
    }
  }

  /**
   * The forcing of one kind of verdict, or null when judge.json sets none.
   *
   * @param what "response" or "critique", for messages
   * @throws IllegalArgumentException naming the key and the fix
   */
  static VerdictForcing of(String template, List<String> labels, LanguageModel model, String what) {
    return template == null ? null : new VerdictForcing(template, labels, model, what);
  }

  /**
   * The one-step request that picks the label after what was generated, or null when the context
   * has no room left for the verdict line.
   */
  GenerationRequest request(int[] promptIds, Generation generated, long seed, int maxContext) {
    int[] generatedIds = generated.tokenIds();
    int length = promptIds.length + generatedIds.length + prefixIds.length;
    if (length + 1 > maxContext) {
      return null;
    }
    int[] ids = new int[length];
    System.arraycopy(promptIds, 0, ids, 0, promptIds.length);
    System.arraycopy(generatedIds, 0, ids, promptIds.length, generatedIds.length);
    System.arraycopy(prefixIds, 0, ids, promptIds.length + generatedIds.length, prefixIds.length);
    return new GenerationRequest(ids, new long[] {seed}, SamplingParams.greedyAmong(1, labelIds));
  }

  /** The verdict line for the label the model picked (its token), with the line break before it. */
  String line(Generation picked) {
    int token = picked.tokenIds()[0];
    int winner = token == labelIds[0] ? 0 : 1;
    return "\n"
        + template.replace(LABEL, labels.get(winner)).replace(OTHER, labels.get(1 - winner));
  }
}
