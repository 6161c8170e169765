package io.rewardstream.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import jinjava.javax.el.CompositeELResolver;

/**
 * A model's own chat template: the Jinja {@code chat_template} of its {@code
 * tokenizer_config.json}, rendered with Jinjava the way Hugging Face renders it ({@code
 * apply_chat_template}: {@code trim_blocks} and {@code lstrip_blocks} on, {@code bos_token} and
 * {@code eos_token} in scope, {@code add_generation_prompt}, extra keyword arguments such as
 * Qwen3's {@code enable_thinking}).
 *
 * <p>Chat templates are written for Python's Jinja2, which is more permissive than Jinjava. Two
 * gaps are closed here and nowhere else, each checked against {@code @huggingface/jinja} on the
 * fixture set (ChatTemplateTest):
 *
 * <ul>
 *   <li>Python's string and dict methods ({@code startswith}, {@code endswith}, {@code strip},
 *       {@code lstrip}, {@code rstrip}, {@code split}, {@code upper}, {@code lower}; {@code items},
 *       {@code keys}, {@code values}, {@code get} with a default) by an EL resolver;
 *   <li>two spellings Jinjava's parser reads differently, rewritten inside tags only before
 *       parsing: {@code x[::-1]} becomes {@code (x|reverse)}, and a keyword argument's value is
 *       parenthesised ({@code namespace(i=messages|length - 1)} would otherwise parse as {@code
 *       (i=messages|length) - 1}).
 * </ul>
 *
 * Not supported: tool definitions ({@code tools}), which RewardStream never passes. Thread-safe
 * after construction.
 */
public final class ChatTemplate {

  /** The file a Hugging Face model directory keeps its chat template in. */
  public static final String CONFIG_FILE = "tokenizer_config.json";

  /** One chat turn. */
  public record Message(String role, String content) {
    public Message {
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(content, "content");
    }
  }

  private static final Pattern TAG = Pattern.compile("\\{\\{.*?}}|\\{%.*?%}", Pattern.DOTALL);
  private static final Pattern REVERSED =
      Pattern.compile("([A-Za-z_][\\w.]*(?:\\([^()]*\\))?)\\[\\s*:\\s*:\\s*-1\\s*]");
  private static final Pattern KEYWORD_ARGUMENT =
      Pattern.compile("([(,]\\s*)([A-Za-z_]\\w*)=(?!=)([^,()'\"]+?)(?=\\s*[,)])");

  private final String origin;
  private final String source;
  private final Map<String, Object> specialTokens;
  private final Jinjava jinjava;

  private ChatTemplate(String origin, String source, Map<String, Object> specialTokens) {
    this.origin = origin;
    this.source = toJinjavaDialect(source);
    this.specialTokens = Map.copyOf(specialTokens);
    CompositeELResolver resolver = new CompositeELResolver();
    resolver.add(new PythonMethods());
    resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
    this.jinjava =
        new Jinjava(
            JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withElResolver(resolver)
                .withLegacyOverrides(
                    LegacyOverrides.newBuilder()
                        .withParseWhitespaceControlStrictly(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withKeepNullableLoopValues(true)
                        .withUseNaturalOperatorPrecedence(true)
                        .withEvaluateMapKeys(true)
                        .build())
                .build());
    jinjava
        .getGlobalContext()
        .registerFunction(
            new ELFunctionDefinition(
                "", "raise_exception", ChatTemplate.class, "raiseException", String.class));
  }

  /**
   * Reads {@code chat_template} (a string, or a list of named templates of which "default" is
   * taken) and the special tokens it may refer to from a {@code tokenizer_config.json}.
   */
  public static ChatTemplate read(Path tokenizerConfig) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(tokenizerConfig.toFile());
    } catch (IOException e) {
      throw new InferenceException("cannot read " + tokenizerConfig + ": " + e.getMessage(), e);
    }
    JsonNode template = root.get("chat_template");
    if (template != null && template.isArray()) {
      JsonNode named = null;
      for (JsonNode t : template) {
        if ("default".equals(t.path("name").asText())) {
          named = t.get("template");
        }
      }
      template = named;
    }
    if (template == null || !template.isTextual()) {
      throw new InferenceException(
          tokenizerConfig
              + " has no \"chat_template\" string: copy the model's tokenizer_config.json from"
              + " its Hugging Face repository, or turn the chat template off in judge.json");
    }
    Map<String, Object> tokens = new HashMap<>();
    for (String name : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
      JsonNode token = root.get(name);
      if (token != null && token.isTextual()) {
        tokens.put(name, token.asText());
      } else if (token != null && token.path("content").isTextual()) {
        tokens.put(name, token.path("content").asText());
      }
    }
    return new ChatTemplate(tokenizerConfig.toString(), template.asText(), tokens);
  }

  /** A template from its source text ({@code origin} names it in errors). */
  public static ChatTemplate of(String origin, String source, Map<String, String> specialTokens) {
    return new ChatTemplate(origin, source, Map.copyOf(specialTokens));
  }

  /**
   * Renders the conversation.
   *
   * @param addGenerationPrompt end with the assistant's turn opened, as for generation
   * @param kwargs further template variables (e.g. {@code enable_thinking})
   * @throws InferenceException naming the template and Jinjava's error
   */
  public String render(List<Message> messages, boolean addGenerationPrompt, Map<String, ?> kwargs) {
    Map<String, Object> context = new HashMap<>(specialTokens);
    context.putAll(kwargs);
    List<Map<String, Object>> turns = new ArrayList<>();
    for (Message m : messages) {
      Map<String, Object> turn = new LinkedHashMap<>();
      turn.put("role", m.role());
      turn.put("content", m.content());
      turns.add(turn);
    }
    context.put("messages", turns);
    context.put("add_generation_prompt", addGenerationPrompt);
    RenderResult result;
    RAISED.remove();
    try {
      result = jinjava.renderForResult(source, context);
    } catch (RuntimeException e) {
      throw new InferenceException("chat template of " + origin + " failed: " + e, e);
    }
    String raised = RAISED.get();
    RAISED.remove();
    if (raised != null) {
      throw new InferenceException(
          "chat template of " + origin + " refused the conversation: " + raised);
    }
    List<TemplateError> fatal =
        result.getErrors().stream()
            .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL)
            .toList();
    if (!fatal.isEmpty()) {
      throw new InferenceException(
          "chat template of "
              + origin
              + " failed: "
              + fatal.stream()
                  .map(e -> "line " + e.getLineno() + ": " + e.getMessage())
                  .collect(Collectors.joining("; ")));
    }
    return result.getOutput();
  }

  /**
   * Jinja's {@code raise_exception(msg)}, which chat templates call on input they do not accept.
   * Jinjava reports a function's exception without its message, so the message is kept here for
   * {@link #render} to report.
   */
  public static String raiseException(String message) {
    RAISED.set(message);
    throw new IllegalArgumentException(message);
  }

  private static final ThreadLocal<String> RAISED = new ThreadLocal<>();

  /** Rewrites the two Python-Jinja spellings Jinjava parses differently (see the class doc). */
  static String toJinjavaDialect(String source) {
    Matcher tags = TAG.matcher(source);
    StringBuilder out = new StringBuilder();
    while (tags.find()) {
      String tag = REVERSED.matcher(tags.group()).replaceAll("($1|reverse)");
      tag = KEYWORD_ARGUMENT.matcher(tag).replaceAll("$1$2=($3)");
      tags.appendReplacement(out, Matcher.quoteReplacement(tag));
    }
    tags.appendTail(out);
    return out.toString();
  }
}
