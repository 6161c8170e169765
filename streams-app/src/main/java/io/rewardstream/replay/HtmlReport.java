package io.rewardstream.replay;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A self-contained HTML page for a {@link Comparison}: summary numbers, the flip counts, a
 * histogram of Δ reward_a and flips per policy_version as stacked bars, both inline SVG. No script,
 * no external stylesheet, font or CDN: the file opens offline and renders the same anywhere.
 */
public final class HtmlReport {

  /** Fill colour of each flip kind, in {@link Comparison#FLIPS} order. */
  static final Map<String, String> COLORS =
      Map.of(
          "A->B", "#d62728",
          "B->A", "#1f77b4",
          "A->TIE", "#ff9896",
          "B->TIE", "#9ecae1",
          "TIE->A", "#ff7f0e",
          "TIE->B", "#2ca02c");

  private static final int W = 720;
  private static final int H = 300;
  private static final int LEFT = 56;
  private static final int RIGHT = 16;
  private static final int TOP = 24;
  private static final int BOTTOM = 48;

  private HtmlReport() {}

  /** The whole page. */
  public static String render(Comparison c) {
    Comparison.Stats o = c.overall();
    StringBuilder h = new StringBuilder(16_384);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
        .append(esc("RewardStream compare: " + c.baselineTopic() + " vs " + c.candidateTopic()))
        .append("</title>\n<style>\n")
        .append("body{font-family:system-ui,-apple-system,'DejaVu Sans',sans-serif;margin:24px;")
        .append("color:#222;max-width:980px}\nh1{font-size:22px}h2{font-size:17px;margin-top:28px}")
        .append("\ntable{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;")
        .append(
            "padding:4px 10px;text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}")
        .append("\n.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #ccc;")
        .append("border-radius:6px;padding:10px 14px;min-width:150px}.card b{display:block;")
        .append("font-size:22px}.muted{color:#666;font-size:13px}svg text{font-size:12px;")
        .append("fill:#333}\n</style></head><body>\n");
    h.append("<h1>Judge comparison: <code>")
        .append(esc(c.baselineTopic()))
        .append("</code> → <code>")
        .append(esc(c.candidateTopic()))
        .append("</code></h1>\n");
    h.append("<p class=\"muted\">Baseline judge: ")
        .append(esc(String.join(", ", c.baselineJudges())))
        .append("<br>Candidate judge: ")
        .append(esc(String.join(", ", c.candidateJudges())))
        .append("</p>\n");
    cards(h, c, o);
    flipTable(h, o);
    h.append("<h2>Δ reward_a (candidate − baseline)</h2>\n");
    h.append(histogram(c.histogram()));
    h.append("<h2>Verdict flips per policy_version</h2>\n");
    h.append(flipsByPolicy(c));
    policyTable(h, c);
    h.append("<p class=\"muted\">Pairs with a FAILED result on either side are joined but not")
        .append(" compared. Agreement = same preferred response (A, B or TIE).</p>\n");
    h.append("</body></html>\n");
    return h.toString();
  }

  private static void cards(StringBuilder h, Comparison c, Comparison.Stats o) {
    h.append("<div class=\"cards\" id=\"summary\">\n");
    card(
        h,
        "agreement-rate",
        ComparisonReport.percent(o.agreementRate()),
        "agreement (" + o.agreed() + " of " + o.compared() + ")");
    card(h, "flips-total", Long.toString(o.flipTotal()), "verdict flips");
    card(h, "mean-abs-delta", ComparisonReport.number(o.meanAbsDelta()), "mean |Δ reward_a|");
    card(h, "identical-rewards", o.identicalRewards() + "/" + o.compared(), "identical rewards");
    card(
        h,
        "joined",
        Long.toString(c.joined()),
        "joined; only baseline "
            + c.onlyBaseline()
            + ", only candidate "
            + c.onlyCandidate()
            + ", FAILED "
            + c.failedExcluded());
    h.append("</div>\n");
  }

  private static void card(StringBuilder h, String id, String value, String label) {
    h.append("<div class=\"card\"><b id=\"")
        .append(id)
        .append("\">")
        .append(esc(value))
        .append("</b><span class=\"muted\">")
        .append(esc(label))
        .append("</span></div>\n");
  }

  private static void flipTable(StringBuilder h, Comparison.Stats o) {
    h.append("<h2>Flips</h2>\n<table id=\"flips\"><tr>");
    Comparison.FLIPS.forEach(
        f -> h.append("<th>").append(esc(ComparisonReport.arrow(f))).append("</th>"));
    h.append("</tr><tr>");
    Comparison.FLIPS.forEach(
        f ->
            h.append("<td id=\"flip-")
                .append(id(f))
                .append("\">")
                .append(o.flips().get(f))
                .append("</td>"));
    h.append("</tr></table>\n");
  }

  private static void policyTable(StringBuilder h, Comparison c) {
    h.append("<table id=\"policy-table\"><tr><th class=\"l\">policy_version</th><th>pairs</th>")
        .append("<th>agreement</th><th>flips</th>");
    Comparison.FLIPS.forEach(
        f -> h.append("<th>").append(esc(ComparisonReport.arrow(f))).append("</th>"));
    h.append("<th>mean |Δ reward_a|</th></tr>\n");
    c.perPolicy()
        .forEach(
            (policy, s) -> {
              h.append("<tr><td class=\"l\">")
                  .append(esc(policy))
                  .append("</td><td>")
                  .append(s.compared())
                  .append("</td><td>")
                  .append(ComparisonReport.percent(s.agreementRate()))
                  .append("</td><td>")
                  .append(s.flipTotal())
                  .append("</td>");
              Comparison.FLIPS.forEach(
                  f -> h.append("<td>").append(s.flips().get(f)).append("</td>"));
              h.append("<td>")
                  .append(ComparisonReport.number(s.meanAbsDelta()))
                  .append("</td></tr>\n");
            });
    h.append("</table>\n");
  }

  /** Bars of the Δ histogram, with the count above each non-empty bar. */
  static String histogram(long[] counts) {
    long max = 1;
    for (long n : counts) {
      max = Math.max(max, n);
    }
    double plotW = W - LEFT - RIGHT;
    double plotH = H - TOP - BOTTOM;
    double barW = plotW / counts.length;
    StringBuilder s = svgStart("delta-histogram", "Histogram of Δ reward_a");
    axes(s, max, plotH, "pairs");
    for (int i = 0; i < counts.length; i++) {
      double bh = plotH * counts[i] / max;
      double x = LEFT + i * barW;
      double y = TOP + plotH - bh;
      double low = Comparison.binLow(i);
      s.append(
          fmt(
              "<rect class=\"bin\" data-count=\"%d\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\""
                  + " height=\"%.1f\" fill=\"#4c78a8\"><title>[%.4f, %.4f): %d</title></rect>\n",
              counts[i], x + 1, y, barW - 2, bh, low, low + Comparison.BIN_WIDTH, counts[i]));
      if (counts[i] > 0) {
        s.append(
            fmt(
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>\n",
                x + barW / 2, y - 4, counts[i]));
      }
    }
    for (int i = 0; i < counts.length; i++) {
      double centre = Comparison.binLow(i) + Comparison.BIN_WIDTH / 2;
      double half = Math.rint(centre * 2) / 2; // label the bins centred on -1, -0.5, 0, 0.5, 1
      if (Math.abs(centre - half) < 1e-9) {
        s.append(
            fmt(
                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.1f</text>\n",
                LEFT + (i + 0.5) * barW, TOP + (int) plotH + 16, half == 0 ? 0.0 : half));
      }
    }
    s.append(
        fmt(
            "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">Δ reward_a</text>\n",
            LEFT + plotW / 2, H - 8));
    return s.append("</svg>\n").toString();
  }

  /** One stacked bar per policy_version, a segment per flip kind, with a legend. */
  static String flipsByPolicy(Comparison c) {
    List<String> policies = c.policies();
    long max = 1;
    for (Comparison.Stats st : c.perPolicy().values()) {
      max = Math.max(max, st.flipTotal());
    }
    double plotW = W - LEFT - RIGHT - 110;
    double plotH = H - TOP - BOTTOM;
    double slot = policies.isEmpty() ? plotW : plotW / policies.size();
    double barW = Math.min(60, slot * 0.6);
    StringBuilder s = svgStart("flips-by-policy", "Verdict flips per policy_version");
    axes(s, max, plotH, "flips");
    for (int i = 0; i < policies.size(); i++) {
      Comparison.Stats st = c.perPolicy().get(policies.get(i));
      double x = LEFT + i * slot + (slot - barW) / 2;
      double y = TOP + plotH;
      for (String f : Comparison.FLIPS) {
        long n = st.flips().get(f);
        if (n == 0) {
          continue;
        }
        double bh = plotH * n / max;
        y -= bh;
        s.append(
            fmt(
                "<rect class=\"flip\" data-policy=\"%s\" data-flip=\"%s\" data-count=\"%d\""
                    + " x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                    + "<title>%s %s: %d</title></rect>\n",
                esc(policies.get(i)),
                esc(f),
                n,
                x,
                y,
                barW,
                bh,
                COLORS.get(f),
                esc(policies.get(i)),
                esc(ComparisonReport.arrow(f)),
                n));
      }
      s.append(
          fmt(
              "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>\n",
              x + barW / 2, y - 4, st.flipTotal()));
      s.append(
          fmt(
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
              x + barW / 2, TOP + (int) plotH + 16, esc(policies.get(i))));
      s.append(
          fmt(
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"muted\">%s agree"
                  + "</text>\n",
              x + barW / 2, TOP + (int) plotH + 32, ComparisonReport.percent(st.agreementRate())));
    }
    legend(s, W - RIGHT - 100);
    return s.append("</svg>\n").toString();
  }

  private static void legend(StringBuilder s, int x) {
    int y = TOP + 4;
    for (String f : Comparison.FLIPS) {
      s.append(
          fmt(
              "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                  + "<text x=\"%d\" y=\"%d\">%s</text>\n",
              x, y, COLORS.get(f), x + 18, y + 10, esc(ComparisonReport.arrow(f))));
      y += 18;
    }
  }

  private static StringBuilder svgStart(String id, String title) {
    StringBuilder s = new StringBuilder();
    s.append(
        fmt(
            "<svg id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\"><title>%s</title>\n",
            id, W, H, W, H, esc(title), esc(title)));
    return s;
  }

  /** Y axis with 0, max/2 and max ticks, and the X baseline. */
  private static void axes(StringBuilder s, long max, double plotH, String unit) {
    int bottom = TOP + (int) plotH;
    s.append(
        fmt(
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n",
            LEFT, TOP, LEFT, bottom));
    s.append(
        fmt(
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n",
            LEFT, bottom, W - RIGHT, bottom));
    long[] ticks = max >= 2 ? new long[] {0, max / 2, max} : new long[] {0, max};
    for (long t : ticks) {
      double y = bottom - plotH * t / max;
      s.append(
          fmt(
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                  + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>\n",
              LEFT, y, W - RIGHT, y, LEFT - 6, y + 4, t));
    }
    s.append(
        fmt(
            "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">"
                + "%s</text>\n",
            TOP + (int) plotH / 2, TOP + (int) plotH / 2, unit));
  }

  /** "A->TIE" as "A-TIE", for element ids. */
  static String id(String flip) {
    return flip.replace("->", "-");
  }

  /** Escapes text for HTML element content and attribute values. */
  static String esc(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char ch : text.toCharArray()) {
      switch (ch) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(ch);
      }
    }
    return out.toString();
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
