package io.rewardstream.cli;

import org.apache.kafka.common.utils.AppInfoParser;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code rewardstream} command: the entry point of the runnable jar and of {@code
 * ./rewardstream}. Each job is a subcommand; this class only parses and dispatches.
 */
@Command(
    name = "rewardstream",
    mixinStandardHelpOptions = true,
    versionProvider = RewardStreamCli.Version.class,
    description = "Scores RLHF rollout pairs from Kafka with an in-process reflective judge.",
    subcommands = {DemoCommand.class, EvalCommand.class})
public final class RewardStreamCli implements Runnable {

  @Spec private CommandSpec spec;

  /**
   * Runs the command line and exits with its status.
   *
   * @param args command-line arguments
   */
  public static void main(String[] args) {
    // DJL must never download anything (network rule); set before any DJL class can load.
    System.setProperty("ai.djl.offline", "true");
    int status = new CommandLine(new RewardStreamCli()).execute(args);
    System.exit(status);
  }

  /** Without a subcommand there is nothing to run: show what there is. */
  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The jar's version (from its manifest) and the Kafka client version it carries. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = RewardStreamCli.class.getPackage().getImplementationVersion();
      return new String[] {
        "rewardstream " + (version == null ? "(development build)" : version),
        "Kafka " + AppInfoParser.getVersion() + ", Java " + System.getProperty("java.version")
      };
    }
  }
}
