package io.rewardstream.cli;

/**
 * A picocli {@code @Command} that lives outside the product jar (the demo, the benchmarks) and
 * joins {@code rewardstream}'s subcommands when its jar is on the classpath. Implementations are
 * listed in {@code META-INF/services/io.rewardstream.cli.ToolCommand} and need a public no-argument
 * constructor. The production image carries none, so {@code run} never loads the embedded broker.
 */
public interface ToolCommand {}
