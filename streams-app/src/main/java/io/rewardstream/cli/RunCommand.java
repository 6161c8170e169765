package io.rewardstream.cli;

import io.rewardstream.app.AppConfig;
import io.rewardstream.app.RewardStreamApp;
import io.rewardstream.config.ConfigKey;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code rewardstream run}: the production entry point. Starts one instance and blocks until
 * SIGTERM/SIGINT, then shuts down in order (see {@link RewardStreamApp}).
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the scoring pipeline: rollouts -> validate -> batch buffer -> judge -> rewards, bad"
          + " input to the dead-letter topic, exactly-once. Blocks until SIGTERM or Ctrl-C, then"
          + " lets the in-flight batch finish, closes Kafka Streams, then the judge.",
      "Start more instances with the same application.id to share the input partitions.",
      "Configuration: --config FILE (Java properties), then --set KEY=VALUE, then"
          + " --bootstrap-servers. Keys not listed below go to Kafka Streams as they are."
    })
final class RunCommand implements Callable<Integer> {

  @Mixin ConfigMixin config;

  @Override
  public Integer call() {
    return RewardStreamApp.runUntilShutdown(appConfig());
  }

  /** File, then --set, then --bootstrap-servers; validated (errors name key, value and fix). */
  AppConfig appConfig() {
    AppConfig appConfig = AppConfig.fromProperties(config.properties());
    appConfig.streamsSettings(); // refuse timeouts a batch cannot finish in, before the judge loads
    return appConfig;
  }

  /** The keys with their defaults and meaning: the footer of {@code run --help}. */
  static String configKeysHelp() {
    StringBuilder help = new StringBuilder("%nConfiguration keys (key = default, then meaning):%n");
    for (ConfigKey key : AppConfig.KEYS) {
      String value = key.defaultValue().isEmpty() ? "(none)" : key.defaultValue();
      help.append(String.format("  %s = %s%n      %s%n", key.name(), value, key.doc()));
    }
    help.append("%nExample: ./rewardstream run --config app.properties%n");
    // picocli formats the footer itself: keep its format specifiers, escape any others.
    return help.toString().replace("%n", "\n").replace("%", "%%").replace("\n", "%n");
  }
}
