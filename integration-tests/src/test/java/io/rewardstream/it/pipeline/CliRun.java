package io.rewardstream.it.pipeline;

import io.rewardstream.cli.RewardStreamCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/**
 * One in-process run of the CLI: its exit status and what it printed (the arguments are appended to
 * {@code err}, so an assertion message shows which command failed).
 */
record CliRun(int status, String out, String err) {

  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = RewardStreamCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int status = cli.execute(args);
    return new CliRun(status, out.toString(), err.toString() + List.of(args));
  }
}
