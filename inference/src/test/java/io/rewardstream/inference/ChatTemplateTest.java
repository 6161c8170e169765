package io.rewardstream.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Jinjava bridge's own pieces; the renderings against @huggingface/jinja are Qwen3PeerTest. */
class ChatTemplateTest {

  @Test
  void rewritesOnlyWhatJinjavaParsesDifferentlyAndOnlyInsideTags() {
    assertThat(ChatTemplate.toJinjavaDialect("{% for m in messages[::-1] %}x[::-1]{% endfor %}"))
        .isEqualTo("{% for m in (messages|reverse) %}x[::-1]{% endfor %}");
    assertThat(
            ChatTemplate.toJinjavaDialect(
                "{%- set ns = namespace(a=true, last=messages|length - 1) %}f(a=b - 1)"))
        .isEqualTo("{%- set ns = namespace(a=(true), last=(messages|length - 1)) %}f(a=b - 1)");
    // comparisons and string arguments are left alone
    assertThat(ChatTemplate.toJinjavaDialect("{{ f(a == b) }}{{ g(s='x,y') }}"))
        .isEqualTo("{{ f(a == b) }}{{ g(s='x,y') }}");
  }

  @Test
  void pythonStringAndDictMethods() {
    ChatTemplate direct =
        ChatTemplate.of(
            "test",
            "{% set m = messages[0] %}{{ m.content.split('</think>')[-1].lstrip('\\n') }}"
                + "|{{ m.content.startswith('<think>') }}|{{ '  a b  '.split() | length }}"
                + "|{{ 'x--y--z'.split('--', 1)[1] }}|{{ m.get('missing', 'dflt') }}"
                + "|{{ ' pad '.strip() }}.",
            Map.of());
    assertThat(
            direct.render(
                List.of(new ChatTemplate.Message("assistant", "<think>r</think>\n\nA")),
                false,
                Map.of()))
        .isEqualTo("A|true|2|y--z|dflt|pad.");
  }

  @Test
  void errorsNameTheTemplateAndTheFix(@TempDir Path dir) throws IOException {
    Path config = dir.resolve("tokenizer_config.json");
    Files.writeString(config, "{\"eos_token\": \"</s>\"}");
    assertThatThrownBy(() -> ChatTemplate.read(config))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining(config.toString())
        .hasMessageContaining("no \"chat_template\"");
    ChatTemplate broken = ChatTemplate.of("broken.jinja", "{% for m in messages %}", Map.of());
    assertThatThrownBy(() -> broken.render(List.of(), true, Map.of()))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("broken.jinja");
  }
}
