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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The arrows of DESIGN.md, checked on the sources: {@code cli → app → topology → judge →
 * inference}, no Kafka below the topology, nothing imports the CLI. A new import that points the
 * wrong way fails here, naming the file and the import.
 */
class PackageArrowsTest {

  private static final Path SOURCES = Path.of("src/main/java/io/rewardstream");
  private static final Pattern IMPORT =
      Pattern.compile("^import (?:static )?(io\\.rewardstream\\.([a-z]+)|org\\.apache\\.kafka)\\.");

  /** Every package of ours that a package may import (packages not listed here: any but cli). */
  private static final Map<String, Set<String>> MAY_IMPORT =
      Map.of(
          "inference", Set.of(),
          "judge", Set.of("inference"),
          "eval", Set.of("judge", "inference"),
          "scoring", Set.of("avro", "judge"),
          "topology", Set.of("avro", "schemas", "judge", "scoring"),
          "app", Set.of("avro", "schemas", "config", "inference", "judge", "scoring", "topology"),
          "drift", Set.of("avro", "schemas", "config"),
          "config", Set.of(),
          "broker", Set.of());

  private static final Set<String> NO_KAFKA =
      Set.of("inference", "judge", "eval", "scoring", "config");

  @Test
  void importsFollowTheArrows() throws IOException {
    List<String> wrong = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      files
          .filter(f -> f.toString().endsWith(".java"))
          .forEach(
              file -> {
                String pkg = SOURCES.relativize(file).getName(0).toString();
                for (String line : lines(file)) {
                  Matcher m = IMPORT.matcher(line);
                  if (!m.find()) {
                    continue;
                  }
                  String target = m.group(2);
                  boolean bad;
                  if (target == null) {
                    bad = NO_KAFKA.contains(pkg);
                  } else if (target.equals(pkg)) {
                    bad = false;
                  } else if (MAY_IMPORT.containsKey(pkg)) {
                    bad = !MAY_IMPORT.get(pkg).contains(target);
                  } else {
                    bad = target.equals("cli");
                  }
                  if (bad) {
                    wrong.add(SOURCES.relativize(file) + ": " + line.strip());
                  }
                }
              });
    }
    assertThat(wrong).as("imports against the arrows").isEmpty();
  }

  @Test
  void theCheckSeesTheSources() throws IOException {
    // guards the test above against passing on an empty or moved tree
    try (Stream<Path> files = Files.walk(SOURCES.resolve("judge"))) {
      assertThat(files.filter(f -> f.toString().endsWith(".java")).count()).isGreaterThan(5);
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
