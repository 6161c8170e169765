package io.rewardstream.judge;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills the judge.json templates. One pass over the template, so text that itself contains
 * "{response_2}" is never substituted twice. A chat judge's filled template is then rendered as a
 * conversation by the model's own chat template ({@link ChatPrompt}).
 */
final class PromptBuilder {

  private static final Pattern SLOT =
      Pattern.compile("\\{(prompt|response_1|response_2|critique_1|critique_2|role|content)\\}");

  private final JudgeConfig config;

  PromptBuilder(JudgeConfig config) {
    this.config = config;
  }

  /** Response-preference prompt with the responses in the given order. */
  String judgment(PairInput pair, Verdict.Order order) {
    boolean ab = order == Verdict.Order.AB;
    return wrap(
        config.responseTemplate(),
        Map.of(
            "prompt", prompt(pair),
            "response_1", ab ? pair.responseA() : pair.responseB(),
            "response_2", ab ? pair.responseB() : pair.responseA()));
  }

  /**
   * Analysis-preference prompt: the two critiques were written about the responses in {@code
   * order}, so the responses are shown in that order too.
   */
  String reflection(PairInput pair, Verdict.Order order, String critique1, String critique2) {
    boolean ab = order == Verdict.Order.AB;
    return wrap(
        config.analysisTemplate(),
        Map.of(
            "prompt",
            prompt(pair),
            "response_1",
            ab ? pair.responseA() : pair.responseB(),
            "response_2",
            ab ? pair.responseB() : pair.responseA(),
            "critique_1",
            critique1,
            "critique_2",
            critique2));
  }

  /**
   * The {prompt} slot: the plain prompt, or for a chat judge a pair's chat-form prompt as a
   * transcript when the pair has one.
   */
  private String prompt(PairInput pair) {
    ChatPrompt chat = config.chat();
    return chat == null || pair.messages().isEmpty()
        ? pair.prompt()
        : chat.transcript(pair.messages());
  }

  /** The filled template, inside the model's chat template when judge.json asks for it. */
  private String wrap(String template, Map<String, String> values) {
    String text = fill(template, values);
    return config.chat() == null ? text : config.chat().wrap(text);
  }

  static String fill(String template, Map<String, String> values) {
    Matcher m = SLOT.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(value == null ? m.group() : value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
