package io.rewardstream.it.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * {@code rewardstream run} in a separate JVM, the way production runs it, so that a test can kill
 * it with SIGKILL ({@link Process#destroyForcibly()}): no shutdown hook, no close, no final commit.
 * Its output goes to a log file the test can wait on.
 */
final class AppProcess implements AutoCloseable {

  /** Logging of the child: the app's INFO lines plus the judge's per-batch DEBUG lines. */
  private static final String LOG4J =
      String.join(
          "\n",
          "status = warn",
          "appender.out.type = Console",
          "appender.out.name = out",
          "appender.out.layout.type = PatternLayout",
          "appender.out.layout.pattern = %d{HH:mm:ss.SSS} %-5level [%t] %c{1} - %msg%n",
          "rootLogger.level = warn",
          "rootLogger.appenderRef.out.ref = out",
          "logger.app.name = io.rewardstream",
          "logger.app.level = info",
          "logger.judge.name = io.rewardstream.app.MeteredJudge",
          "logger.judge.level = debug",
          "");

  private final Process process;
  private final Path log;

  private AppProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Starts {@code RewardStreamCli run --config <config>} with this test's classpath. */
  static AppProcess start(Path config, Path log) {
    return start(log, "io.rewardstream.cli.RewardStreamCli", "run", "--config", config.toString());
  }

  /** Starts {@code mainClass args...} with this test's classpath and the child's logging. */
  static AppProcess start(Path log, String mainClass, String... args) {
    return start(log, Map.of(), mainClass, args);
  }

  /** The same, with extra environment variables for the child (e.g. secrets). */
  static AppProcess start(Path log, Map<String, String> env, String mainClass, String... args) {
    try {
      Path log4j = log.resolveSibling("log4j2-child.properties");
      Files.writeString(log4j, LOG4J, StandardCharsets.UTF_8);
      List<String> command =
          new java.util.ArrayList<>(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx512m",
                  "-Dai.djl.offline=true",
                  "-Dlog4j2.configurationFile=" + log4j.toUri(),
                  "-cp",
                  pathingJar(log.resolveSibling("classpath.jar")).toString(),
                  mainClass));
      command.addAll(List.of(args));
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(env);
      Process process = builder.start();
      return new AppProcess(process, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the app process", e);
    }
  }

  /**
   * A jar holding only a manifest whose Class-Path is this test's classpath, so the child's command
   * line stays short: with the classpath spelled out (about 4 KB and more) the child JVM dies of
   * SIGSEGV while loading the model's native libraries (seen with ONNX Runtime 1.29 + DJL
   * tokenizers 0.38 on Linux x86_64); {@code java -jar} and manifest class paths are not affected.
   */
  private static Path pathingJar(Path jar) throws IOException {
    StringBuilder classPath = new StringBuilder();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        classPath.append(Path.of(entry).toAbsolutePath().toUri().toASCIIString()).append(' ');
      }
    }
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath.toString().strip());
    // the manifest is the whole jar: opening and closing the stream writes it
    new JarOutputStream(Files.newOutputStream(jar), manifest).close();
    return jar;
  }

  /** Waits until the log contains {@code text}; fails (showing the log) if the process exits. */
  void awaitLog(String text, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!logText().contains(text)) {
      assertThat(process.isAlive())
          .as("app process exited (%s) before logging '%s':%n%s", exitCode(), text, logText())
          .isTrue();
      assertThat(System.nanoTime())
          .as("app process did not log '%s' in %s:%n%s", text, timeout, logText())
          .isLessThan(end);
      sleep(20);
    }
  }

  /** Whether the process is still running. */
  boolean alive() {
    return process.isAlive();
  }

  /** The exit status, once it has ended on its own. */
  int exitValue() {
    return process.exitValue();
  }

  /** SIGKILL, and wait until it is gone. */
  void kill() {
    process.destroyForcibly();
    waitFor(Duration.ofSeconds(30));
  }

  /** SIGTERM (graceful: the shutdown hook closes Streams, then the judge); the exit status. */
  int stop(Duration timeout) {
    process.destroy();
    waitFor(timeout);
    return process.exitValue();
  }

  String logText() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  private void waitFor(Duration timeout) {
    try {
      assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
          .as("app process ended within %s", timeout)
          .isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private String exitCode() {
    return process.isAlive() ? "running" : "status " + process.exitValue();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
