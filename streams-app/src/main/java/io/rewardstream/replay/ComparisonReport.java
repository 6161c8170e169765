package io.rewardstream.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** The text table and JSON summary of a {@link Comparison}; {@link HtmlReport} draws the plots. */
public final class ComparisonReport {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ComparisonReport() {}

  /** The comparison as a plain-text table for the terminal. */
  public static String table(Comparison c) {
    StringBuilder t = new StringBuilder();
    Comparison.Stats o = c.overall();
    t.append(
        String.format(
            Locale.ROOT,
            "baseline   %-28s %6d results  judge %s%n",
            c.baselineTopic(),
            c.baselineCount(),
            String.join(", ", c.baselineJudges())));
    t.append(
        String.format(
            Locale.ROOT,
            "candidate  %-28s %6d results  judge %s%n",
            c.candidateTopic(),
            c.candidateCount(),
            String.join(", ", c.candidateJudges())));
    t.append(
        String.format(
            Locale.ROOT,
            "joined %d  only in baseline %d  only in candidate %d  FAILED (not compared) %d%n",
            c.joined(),
            c.onlyBaseline(),
            c.onlyCandidate(),
            c.failedExcluded()));
    t.append(
        String.format(
            Locale.ROOT,
            "agreement %s (%d/%d)  mean |Δ reward_a| %s  max %s  identical rewards %d/%d%n",
            percent(o.agreementRate()),
            o.agreed(),
            o.compared(),
            number(o.meanAbsDelta()),
            number(o.maxAbsDelta()),
            o.identicalRewards(),
            o.compared()));
    t.append("flips:");
    o.flips().forEach((k, v) -> t.append("  ").append(arrow(k)).append(' ').append(v));
    t.append(System.lineSeparator()).append(System.lineSeparator());
    t.append(
        String.format(
            Locale.ROOT, "%-20s %7s %9s %6s", "policy_version", "pairs", "agree", "flips"));
    Comparison.FLIPS.forEach(f -> t.append(String.format(Locale.ROOT, " %6s", arrow(f))));
    t.append(String.format(Locale.ROOT, " %9s%n", "mean|Δ|"));
    c.perPolicy()
        .forEach(
            (policy, s) -> {
              t.append(
                  String.format(
                      Locale.ROOT,
                      "%-20s %7d %9s %6d",
                      policy,
                      s.compared(),
                      percent(s.agreementRate()),
                      s.flipTotal()));
              Comparison.FLIPS.forEach(
                  f -> t.append(String.format(Locale.ROOT, " %6d", s.flips().get(f))));
              t.append(String.format(Locale.ROOT, " %9s%n", number(s.meanAbsDelta())));
            });
    return t.toString();
  }

  /** The JSON summary (snake_case keys; rates and means null when nothing was compared). */
  public static String json(Comparison c) {
    ObjectNode root = JSON.createObjectNode();
    root.put("baseline_topic", c.baselineTopic()).put("candidate_topic", c.candidateTopic());
    root.putPOJO("baseline_judges", c.baselineJudges());
    root.putPOJO("candidate_judges", c.candidateJudges());
    root.put("baseline_results", c.baselineCount()).put("candidate_results", c.candidateCount());
    root.put("joined", c.joined()).put("only_baseline", c.onlyBaseline());
    root.put("only_candidate", c.onlyCandidate()).put("failed_excluded", c.failedExcluded());
    stats(root, c.overall());
    ObjectNode policies = root.putObject("per_policy_version");
    c.perPolicy().forEach((policy, s) -> stats(policies.putObject(policy), s));
    ArrayNode bins = root.putArray("delta_reward_a_histogram");
    for (int i = 0; i < Comparison.BINS; i++) {
      bins.addObject()
          .put("low", round(Comparison.binLow(i)))
          .put("high", round(Comparison.binLow(i) + Comparison.BIN_WIDTH))
          .put("count", c.histogram()[i]);
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the comparison JSON", e);
    }
  }

  /**
   * Writes {@code prefix.json} and {@code prefix.html} (creating the parent directory).
   *
   * @return the two paths, JSON first
   */
  public static Path[] write(Comparison c, Path prefix) {
    Path json = prefix.resolveSibling(prefix.getFileName() + ".json");
    Path html = prefix.resolveSibling(prefix.getFileName() + ".html");
    try {
      if (json.toAbsolutePath().getParent() != null) {
        Files.createDirectories(json.toAbsolutePath().getParent());
      }
      Files.writeString(json, json(c) + "\n", StandardCharsets.UTF_8);
      Files.writeString(html, HtmlReport.render(c), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report " + prefix, e);
    }
    return new Path[] {json, html};
  }

  private static void stats(ObjectNode node, Comparison.Stats s) {
    node.put("compared", s.compared()).put("agreed", s.agreed());
    putNumber(node, "agreement_rate", s.agreementRate());
    putNumber(node, "mean_abs_delta_reward_a", s.meanAbsDelta());
    node.put("max_abs_delta_reward_a", s.maxAbsDelta());
    node.put("identical_rewards", s.identicalRewards()).put("flips_total", s.flipTotal());
    ObjectNode flips = node.putObject("flips");
    for (Map.Entry<String, Long> f : s.flips().entrySet()) {
      flips.put(f.getKey(), f.getValue());
    }
  }

  private static void putNumber(ObjectNode node, String key, double value) {
    if (Double.isNaN(value)) {
      node.putNull(key);
    } else {
      node.put(key, value);
    }
  }

  /** "A->B" as "A→B" for people. */
  static String arrow(String flip) {
    return flip.replace("->", "→");
  }

  /** 0.85 as "85.0%", NaN as "n/a". */
  static String percent(double rate) {
    return Double.isNaN(rate) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * rate);
  }

  /** Four decimals, NaN as "n/a". */
  static String number(double value) {
    return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.4f", value);
  }

  private static double round(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }
}
