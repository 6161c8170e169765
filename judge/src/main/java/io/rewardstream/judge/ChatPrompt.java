package io.rewardstream.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rewardstream.inference.ChatTemplate;
import io.rewardstream.inference.InferenceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How a chat judge sees its prompt: the filled judge.json template becomes the user turn (after an
 * optional system turn) of a conversation rendered by the model's own chat template, with the
 * assistant's turn opened. A pair's chat-form prompt ({@code RolloutPair.messages}) is shown inside
 * the user turn as a transcript, one {@code conversation_turn} per message; the judge judges that
 * conversation, it does not continue it.
 *
 * <p>judge.json:
 *
 * <pre>
 * "chat_template": {
 *   "file": "tokenizer_config.json",      // where chat_template is (default)
 *   "system": "You are a careful judge.", // optional system turn
 *   "kwargs": {"enable_thinking": false}, // extra template variables
 *   "conversation_turn": "{role}: {content}"
 * }
 * </pre>
 *
 * @param template the model's chat template
 * @param system system turn text, or empty for none
 * @param kwargs extra template variables
 * @param conversationTurn how one message of a chat-form prompt is shown in the transcript
 */
public record ChatPrompt(
    ChatTemplate template, String system, Map<String, Object> kwargs, String conversationTurn) {

  /** The {@code chat_template} section of a judge.json, or null when there is none. */
  static ChatPrompt read(JsonNode root, Path judgeJson) {
    JsonNode node = root.get("chat_template");
    if (node == null || node.isNull()) {
      return null;
    }
    Path dir = judgeJson.toAbsolutePath().getParent();
    Path file = dir.resolve(node.path("file").asText(ChatTemplate.CONFIG_FILE));
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          judgeJson
              + ": chat_template.file "
              + file
              + " does not exist; copy the model's tokenizer_config.json next to judge.json, or"
              + " remove the chat_template section to use the plain templates");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> kwargs =
        node.has("kwargs")
            ? new ObjectMapper().convertValue(node.get("kwargs"), Map.class)
            : Map.of();
    ChatPrompt chat =
        new ChatPrompt(
            ChatTemplate.read(file),
            node.path("system").asText(""),
            Map.copyOf(kwargs),
            node.path("conversation_turn").asText("{role}: {content}"));
    try {
      chat.wrap("probe"); // a template that cannot render fails at start, not on the first pair
    } catch (InferenceException e) {
      throw new IllegalArgumentException(judgeJson + ": " + e.getMessage(), e);
    }
    return chat;
  }

  /** The whole prompt text for a filled judge template. */
  String wrap(String userTurn) {
    List<ChatTemplate.Message> messages = new ArrayList<>();
    if (!system.isEmpty()) {
      messages.add(new ChatTemplate.Message("system", system));
    }
    messages.add(new ChatTemplate.Message("user", userTurn));
    return template.render(messages, true, kwargs);
  }

  /** A chat-form prompt as the transcript shown in the {prompt} slot. */
  String transcript(List<PairInput.Turn> conversation) {
    return conversation.stream()
        .map(
            m ->
                PromptBuilder.fill(
                    conversationTurn, Map.of("role", m.role(), "content", m.content())))
        .collect(Collectors.joining("\n"));
  }
}
