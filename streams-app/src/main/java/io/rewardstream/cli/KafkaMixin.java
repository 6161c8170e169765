package io.rewardstream.cli;

import picocli.CommandLine.Option;

/** {@code --bootstrap-servers} of the commands that talk to Kafka without a config file. */
final class KafkaMixin {

  static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT[,...]",
      defaultValue = DEFAULT_BOOTSTRAP_SERVERS,
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  String bootstrapServers;
}
