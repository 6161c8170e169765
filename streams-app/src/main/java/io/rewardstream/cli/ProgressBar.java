package io.rewardstream.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of long work on stderr, with rate and ETA. On a terminal it is one bar redrawn in place
 * ({@code \r}); anywhere else (a pipe, a file, {@code kubectl logs}) it is a plain line every
 * {@link #LINE_EVERY_NANOS} and a last one at the end, so logs carry no carriage returns.
 */
final class ProgressBar {
  private static final int WIDTH = 30;

  /** How often the line mode writes a line: 10 s. */
  static final long LINE_EVERY_NANOS = 10_000_000_000L;

  private final PrintStream out;
  private final String unit;
  private final boolean redraw;
  private final LongSupplier clock;
  private final long start;
  private long lastLine;

  /** Redraws in place only when the JVM has a console (stdin and stdout on a terminal). */
  ProgressBar(PrintStream out, String unit) {
    this(out, unit, System.console() != null, System::nanoTime);
  }

  ProgressBar(PrintStream out, String unit, boolean redraw, LongSupplier clock) {
    this.out = out;
    this.unit = unit;
    this.redraw = redraw;
    this.clock = clock;
    this.start = clock.getAsLong();
    this.lastLine = start;
  }

  void update(long done, long total) {
    long now = clock.getAsLong();
    boolean finished = done >= total;
    if (!redraw && !finished && now - lastLine < LINE_EVERY_NANOS) {
      return;
    }
    lastLine = now;
    double seconds = (now - start) / 1e9;
    double rate = seconds > 0 ? done / seconds : 0;
    String eta = rate > 0 ? formatSeconds((total - done) / rate) : "?";
    String stats =
        String.format(
            Locale.ROOT, "%d/%d %s  %.2f %s/s  ETA %s", done, total, unit, rate, unit, eta);
    if (redraw) {
      int filled = total == 0 ? WIDTH : (int) (WIDTH * done / total);
      out.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + stats + "   ");
      if (finished) {
        out.println();
      }
    } else {
      out.println("progress: " + stats);
    }
    out.flush();
  }

  static String formatSeconds(double s) {
    long whole = Math.round(s);
    return whole >= 60 ? (whole / 60) + "m" + (whole % 60) + "s" : whole + "s";
  }
}
