package io.rewardstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Option handling of replay and compare; runs against a real broker are in ReplayIT. */
class ReplayCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = RewardStreamCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void bothCommandsAreListedWithHelp() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("replay", "compare");

    assertThat(run("replay", "--help")).isZero();
    assertThat(out.toString())
        .contains("--from", "--to", "--partitions", "--output-topic", "--dlq-topic", "--judge-dir");
    assertThat(run("compare", "--help")).isZero();
    assertThat(out.toString()).contains("--baseline", "--candidate", "--out");
  }

  @Test
  void aBadBoundIsOneLineNamingTheOptionBeforeAnythingStarts() {
    assertThat(run("replay", "--from", "yesterday", "--output-topic", "rewards.v2"))
        .isEqualTo(RewardStreamCli.USAGE_ERROR);

    assertThat(err.toString().strip())
        .startsWith("replay: error: --from 'yesterday': expected beginning, end, an ISO-8601");
  }

  @Test
  void replayingIntoTheInputTopicIsRefused() {
    assertThat(run("replay", "--from", "beginning", "--output-topic", "rollouts"))
        .isEqualTo(RewardStreamCli.USAGE_ERROR);

    assertThat(err.toString()).contains("--output-topic must differ from --input-topic");
  }

  @Test
  void requiredOptionsAreNamed() {
    assertThat(run("replay", "--from", "beginning")).isNotZero();
    assertThat(err.toString()).contains("--output-topic");
    assertThat(run("compare")).isNotZero();
    assertThat(err.toString()).contains("--candidate");
  }
}
