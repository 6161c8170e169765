package io.rewardstream.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real schema registry for the ITs: Apicurio Registry 3.0.9 with in-memory storage, run as a
 * child JVM on a free 127.0.0.1 port. The jar is built by {@code
 * integration-tests/registry/build.sh} before the ITs (Maven passes its path in {@code
 * rewardstream.registry.jar}). Tests talk to its Confluent-compatible API, {@link #url()}.
 */
public final class ApicurioRegistry implements AutoCloseable {

  /** System property with the registry jar's path. */
  public static final String JAR_PROPERTY = "rewardstream.registry.jar";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private final Process process;
  private final Path log;
  private final int port;

  private ApicurioRegistry(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /**
   * Starts the registry and waits until its Confluent-compatible API answers.
   *
   * @param log where the registry's output goes
   */
  public static ApicurioRegistry start(Path log) {
    String jar = System.getProperty(JAR_PROPERTY);
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException(
          JAR_PROPERTY
              + "="
              + jar
              + " is not the registry jar: run the ITs through Maven (mvn verify builds it with"
              + " integration-tests/registry/build.sh)");
    }
    int port = freePort();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        List.of(
            java,
            "-Xmx384m",
            "-Dquarkus.http.host=127.0.0.1",
            "-Dquarkus.http.port=" + port,
            "-Dquarkus.analytics.disabled=true",
            "-jar",
            jar);
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the registry: " + command, e);
    }
    ApicurioRegistry registry = new ApicurioRegistry(process, log, port);
    registry.awaitReady();
    return registry;
  }

  /** The base URL of the Confluent-compatible API: what {@code schema.registry.url} names. */
  public String url() {
    return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
  }

  /** The port it listens on (127.0.0.1). */
  public int port() {
    return port;
  }

  /** Plain HTTP calls to its Confluent-compatible API. */
  public RegistryHttp http() {
    return new RegistryHttp(url());
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the registry exited at start:\n" + tail());
      }
      try {
        if (http().get("/subjects").status() == 200) {
          return;
        }
      } catch (UncheckedIOException e) {
        // not listening yet
      }
      sleep(250);
    }
    close();
    throw new IllegalStateException(
        "the registry did not answer within " + START_TIMEOUT + ":\n" + tail());
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** A port nothing listens on now, on 127.0.0.1 (for a child process to bind). */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
