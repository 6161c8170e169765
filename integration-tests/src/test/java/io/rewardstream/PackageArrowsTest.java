package io.rewardstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The arrows of DESIGN.md, checked on the main sources of every module: {@code cli → app → topology
 * → judge → inference}, no Kafka in the engine or the judge, nothing imports the CLI but the tool
 * modules, and each package lives in the module that owns it. The Maven modules make the wrong
 * arrow between modules a compile error (and the enforcer keeps Kafka out of {@code inference} and
 * {@code judge} even transitively); this test adds the arrows between packages inside a module. A
 * wrong import fails here, naming the file and the import.
 */
class PackageArrowsTest {

  private static final Path ROOT = Path.of("..");
  private static final Pattern IMPORT =
      Pattern.compile("^import (?:static )?(io\\.rewardstream\\.([a-z]+)|org\\.apache\\.kafka)\\.");

  /** The module that owns each package (every package not listed: streams-app). */
  private static final Map<String, String> MODULE_OF =
      Map.of(
          "inference", "inference",
          "judge", "judge",
          "eval", "judge",
          "broker", "embedded-broker",
          "demo", "demo",
          "bench", "bench",
          "schemas", "schemas",
          "avro", "schemas",
          "gateway", "gateway");

  /** Every package of ours that a package may import (packages not listed here: any but cli). */
  private static final Map<String, Set<String>> MAY_IMPORT =
      Map.ofEntries(
          Map.entry("inference", Set.of()),
          Map.entry("judge", Set.of("inference")),
          Map.entry("eval", Set.of("judge", "inference")),
          Map.entry("scoring", Set.of("avro", "judge")),
          Map.entry("topology", Set.of("avro", "schemas", "judge", "scoring")),
          Map.entry(
              "app",
              Set.of(
                  "avro",
                  "schemas",
                  "config",
                  "inference",
                  "judge",
                  "kafka",
                  "scoring",
                  "topology")),
          Map.entry("drift", Set.of("avro", "schemas", "config")),
          Map.entry("config", Set.of()),
          // the client settings also carry the wire format (serde.format, schema.registry.*)
          Map.entry("kafka", Set.of("schemas")),
          Map.entry("broker", Set.of()),
          Map.entry("gateway", Set.of("avro", "schemas")));

  /** Packages that may import the CLI: the tool commands that plug into it. */
  private static final Set<String> MAY_IMPORT_CLI = Set.of("cli", "demo", "bench");

  private static final Set<String> NO_KAFKA =
      Set.of("inference", "judge", "eval", "scoring", "config");

  private static final List<String> MODULES =
      List.of(
          "schemas",
          "inference",
          "judge",
          "gateway",
          "streams-app",
          "embedded-broker",
          "demo",
          "bench");

  @Test
  void importsFollowTheArrows() {
    List<String> wrong = new ArrayList<>();
    for (String module : MODULES) {
      Path sources = sources(module);
      for (Path file : javaFiles(sources)) {
        String pkg = sources.relativize(file).getName(0).toString();
        for (String line : lines(file)) {
          Matcher m = IMPORT.matcher(line);
          if (m.find() && isAgainstTheArrows(pkg, m.group(2))) {
            wrong.add(module + "/" + sources.relativize(file) + ": " + line.strip());
          }
        }
      }
    }
    assertThat(wrong).as("imports against the arrows").isEmpty();
  }

  @Test
  void eachPackageLivesInItsModule() {
    Set<String> misplaced = new TreeSet<>();
    for (String module : MODULES) {
      Path sources = sources(module);
      for (Path file : javaFiles(sources)) {
        String pkg = sources.relativize(file).getName(0).toString();
        if (!MODULE_OF.getOrDefault(pkg, "streams-app").equals(module)) {
          misplaced.add(module + "/" + sources.relativize(file));
        }
      }
    }
    assertThat(misplaced).as("packages outside the module that owns them").isEmpty();
  }

  @Test
  void theCheckSeesTheSources() {
    // guards the tests above against passing on an empty or moved tree
    for (String module : MODULES) {
      assertThat(javaFiles(sources(module))).as(module).isNotEmpty();
    }
    assertThat(javaFiles(sources("judge").resolve("judge")).size()).isGreaterThan(5);
  }

  private static boolean isAgainstTheArrows(String pkg, String target) {
    if (target == null) { // an org.apache.kafka import
      return NO_KAFKA.contains(pkg);
    }
    if (target.equals(pkg)) {
      return false;
    }
    if (MAY_IMPORT.containsKey(pkg)) {
      return !MAY_IMPORT.get(pkg).contains(target);
    }
    return target.equals("cli") && !MAY_IMPORT_CLI.contains(pkg);
  }

  /** A module's hand-written main sources (schemas' Avro classes are generated into target/). */
  private static Path sources(String module) {
    return ROOT.resolve(module).resolve("src/main/java/io/rewardstream");
  }

  private static List<Path> javaFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(f -> f.toString().endsWith(".java")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
