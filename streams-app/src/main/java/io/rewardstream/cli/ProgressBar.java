package io.rewardstream.cli;

import java.io.PrintStream;
import java.util.Locale;

/** A one-line progress bar with rate and ETA, redrawn in place on stderr. */
final class ProgressBar {
  private static final int WIDTH = 30;
  private final PrintStream out;
  private final String unit;
  private final long start = System.nanoTime();

  ProgressBar(PrintStream out, String unit) {
    this.out = out;
    this.unit = unit;
  }

  void update(long done, long total) {
    double seconds = (System.nanoTime() - start) / 1e9;
    double rate = seconds > 0 ? done / seconds : 0;
    int filled = total == 0 ? WIDTH : (int) (WIDTH * done / total);
    String eta = rate > 0 ? formatSeconds((total - done) / rate) : "?";
    out.printf(
        Locale.ROOT,
        "\r[%s%s] %d/%d %s  %.2f %s/s  ETA %s   ",
        "#".repeat(filled),
        " ".repeat(WIDTH - filled),
        done,
        total,
        unit,
        rate,
        unit,
        eta);
    if (done >= total) {
      out.println();
    }
    out.flush();
  }

  static String formatSeconds(double s) {
    long whole = Math.round(s);
    return whole >= 60 ? (whole / 60) + "m" + (whole % 60) + "s" : whole + "s";
  }
}
