package io.rewardstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private final AtomicLong now = new AtomicLong();

  @Test
  void withoutATerminalWritesPlainLinesEveryTenSecondsAndAtTheEnd() {
    ProgressBar bar = new ProgressBar(out, "pairs", false, now::get);
    bar.update(1, 4); // at 0 s: too soon
    now.set(ProgressBar.LINE_EVERY_NANOS);
    bar.update(2, 4); // at 10 s: a line
    now.addAndGet(1_000_000_000L);
    bar.update(3, 4); // at 11 s: too soon
    bar.update(4, 4); // the end: always a line

    String text = bytes.toString(StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("\r");
    assertThat(text.lines()).hasSize(2);
    assertThat(text.lines().toList().get(0)).startsWith("progress: 2/4 pairs  0.20 pairs/s");
    assertThat(text.lines().toList().get(1)).startsWith("progress: 4/4 pairs");
  }

  @Test
  void onATerminalRedrawsOneLine() {
    ProgressBar bar = new ProgressBar(out, "pairs", true, now::get);
    bar.update(1, 2);
    now.set(1_000_000_000L);
    bar.update(2, 2);

    String text = bytes.toString(StandardCharsets.UTF_8);
    assertThat(text).startsWith("\r[").contains("2/2 pairs  2.00 pairs/s").endsWith("\n");
    assertThat(text.chars().filter(c -> c == '\r')).hasSize(2); // two redraws of one line
    assertThat(text.chars().filter(c -> c == '\n')).hasSize(1); // ended once
  }
}
