package io.rewardstream.cli;

import io.rewardstream.inference.InferenceException;
import io.rewardstream.kafka.KafkaPreflightException;
import io.rewardstream.schemas.registry.RegistryFailure;
import java.util.ServiceLoader;
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
    subcommands = {
      DriftCommand.class,
      RunCommand.class,
      ProduceCommand.class,
      TailCommand.class,
      EvalCommand.class,
      ReplayCommand.class,
      CompareCommand.class,
      GatewayCommand.class
    })
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
    // Log4j's own shutdown hook would stop logging while ours is still closing the app (the
    // in-order shutdown lines would be lost); ours shuts Log4j down when it is done.
    System.setProperty("log4j2.shutdownHookEnabled", "false");
    int status = commandLine().execute(args);
    System.exit(status);
  }

  /**
   * The command line with its help footers and error handling set up: a usage error (bad key,
   * value, file or line) prints one message naming it, not a stack trace.
   */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new RewardStreamCli());
    // Tool commands (demo, bench) live in their own modules, outside the product jar: they join
    // the command line when their jars are on the classpath (./rewardstream puts them there).
    for (ToolCommand tool : ServiceLoader.load(ToolCommand.class)) {
      cli.addSubcommand(tool);
    }
    cli.getSubcommands()
        .get("run")
        .getCommandSpec()
        .usageMessage()
        .footer(RunCommand.configKeysHelp());
    cli.setExecutionExceptionHandler(RewardStreamCli::handleError);
    return cli;
  }

  private static int handleError(
      Exception e, CommandLine command, CommandLine.ParseResult parseResult) throws Exception {
    if (e instanceof IllegalArgumentException || e instanceof java.io.UncheckedIOException) {
      return printError(command, e, USAGE_ERROR);
    }
    if (e instanceof InferenceException) {
      // The judge could not load: a wrong model directory or a bad model; the message says which.
      return printError(command, e, 1);
    }
    if (e instanceof KafkaPreflightException || e instanceof RegistryFailure) {
      // Kafka unreachable, credentials refused, or a topic missing; or the schema registry
      // unreachable or refusing a schema: one line naming the setting.
      return printError(command, e, KAFKA_ERROR);
    }
    throw e;
  }

  private static int printError(CommandLine command, Exception e, int status) {
    command.getErr().println(command.getCommandName() + ": error: " + e.getMessage());
    command.getErr().flush();
    return status;
  }

  /** Exit status when Kafka cannot be used: unreachable, refused credentials, missing topic. */
  public static final int KAFKA_ERROR = 3;

  /** Exit status of a command refused for its input (config, file, option value). */
  public static final int USAGE_ERROR = 2;

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
