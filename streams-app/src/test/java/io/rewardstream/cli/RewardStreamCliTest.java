package io.rewardstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.app.AppConfig;
import io.rewardstream.config.ConfigKey;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RewardStreamCliTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = RewardStreamCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void listsTheCommands() {
    assertThat(run("--help")).isZero();

    assertThat(out.toString()).contains("run", "produce", "tail", "eval", "replay", "drift");
    // The product jar carries no tool commands: those plug in from the demo and bench modules.
    assertThat(RewardStreamCli.commandLine().getSubcommands()).doesNotContainKeys("demo", "bench");
  }

  @Test
  void runHelpListsEveryConfigKeyWithItsDefault() {
    assertThat(run("run", "--help")).isZero();

    for (ConfigKey key : AppConfig.KEYS) {
      assertThat(out.toString()).contains(key.name()).contains(key.doc());
    }
    assertThat(out.toString()).contains("batch.size = 16");
  }

  @Test
  void aBadConfigIsOneLineNamingKeyValueAndFix(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("app.properties");
    Files.writeString(file, "batch.size=lots\n");

    assertThat(run("run", "--config", file.toString())).isEqualTo(RewardStreamCli.USAGE_ERROR);

    assertThat(err.toString().strip())
        .isEqualTo(
            "run: error: Invalid config batch.size=lots: expected a whole number of pairs, e.g."
                + " 16");
  }

  @Test
  void aMissingConfigFileAndABadSetAreNamed() {
    assertThat(run("run", "--config", "/nonexistent/app.properties"))
        .isEqualTo(RewardStreamCli.USAGE_ERROR);
    assertThat(err.toString()).contains("--config /nonexistent/app.properties: no such file");

    assertThat(run("run", "--set", "judge.mode=loud")).isEqualTo(RewardStreamCli.USAGE_ERROR);
    assertThat(err.toString()).contains("Invalid config judge.mode=loud: use one of");
  }

  @Test
  void aMissingJudgeIsOneLineToo() {
    assertThat(run("run", "--set", "judge.dir=/nonexistent/judge")).isEqualTo(1);

    assertThat(err.toString())
        .startsWith("run: error: model directory /nonexistent/judge does not exist");
  }

  @Test
  void produceNamesTheBadLineBeforeSendingAnything(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("rollouts.jsonl");
    Files.writeString(file, "{\"rollout_id\":\"r\"}\n");

    // No broker at this address: the file is refused before any connection is attempted.
    assertThat(run("produce", "--file", file.toString(), "--bootstrap-servers", "127.0.0.1:1"))
        .isEqualTo(RewardStreamCli.USAGE_ERROR);
    assertThat(err.toString()).contains("line 1 has no \"prompt\"");
  }
}
