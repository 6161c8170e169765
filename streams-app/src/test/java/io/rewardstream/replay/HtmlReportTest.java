package io.rewardstream.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.avro.Preference;
import io.rewardstream.avro.RewardResult;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HtmlReportTest {

  @Test
  void isSelfContainedWithBothPlotsAndTheNumbers() {
    String html = HtmlReport.render(ComparisonTest.sample());

    assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
    assertThat(html).contains("<svg id=\"delta-histogram\"", "<svg id=\"flips-by-policy\"");
    assertThat(html).contains("<b id=\"agreement-rate\">25.0%</b>", "<b id=\"flips-total\">6</b>");
    assertThat(html).contains("<td id=\"flip-A-TIE\">1</td>", "<td id=\"flip-TIE-B\">1</td>");
    // Nothing loaded from elsewhere: no script, stylesheet link, image or URL but the SVG xmlns.
    assertThat(html).doesNotContain("<script", "<link", "<img", "@import", "https:");
    assertThat(html.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http:");
  }

  @Test
  void histogramHasOneBarPerBinWithItsCount() {
    Comparison c = ComparisonTest.sample();
    String svg = HtmlReport.histogram(c.histogram());

    Matcher bars = Pattern.compile("<rect class=\"bin\" data-count=\"(\\d+)\"").matcher(svg);
    long total = 0;
    int n = 0;
    while (bars.find()) {
      total += Long.parseLong(bars.group(1));
      n++;
    }
    assertThat(n).isEqualTo(Comparison.BINS);
    assertThat(total).isEqualTo(c.overall().compared());
  }

  @Test
  void flipBarsStackEachPolicysFlipsByKind() {
    String svg = HtmlReport.flipsByPolicy(ComparisonTest.sample());

    assertThat(count(svg, "<rect class=\"flip\" data-policy=\"p1\"")).isEqualTo(2);
    assertThat(count(svg, "<rect class=\"flip\" data-policy=\"p2\"")).isEqualTo(4);
    assertThat(svg).contains("data-policy=\"p1\" data-flip=\"A-&gt;B\" data-count=\"1\"");
    assertThat(svg).contains(">A→B</text>", ">TIE→B</text>"); // legend
  }

  @Test
  void escapesTopicAndPolicyNames() {
    RewardResult r = ComparisonTest.ok("r1", "<p&\"q>", Preference.A, 0.5);
    String html = HtmlReport.render(Comparison.of("a<b", Map.of("r1", r), "c", Map.of("r1", r)));

    assertThat(html).doesNotContain("<p&\"q>", "a<b").contains("&lt;p&amp;&quot;q&gt;", "a&lt;b");
  }

  private static int count(String text, String part) {
    return text.split(Pattern.quote(part), -1).length - 1;
  }
}
