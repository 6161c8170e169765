package io.rewardstream.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * The parsing and range checks {@code AppConfig} and {@code DriftConfig} share. Every error reads
 * "Invalid config KEY=VALUE: FIX", naming the key, the value and what to write instead.
 */
public final class ConfigValues {

  private ConfigValues() {}

  /**
   * A properties file (UTF-8), for {@code --config}; a missing or unreadable file is an
   * IllegalArgumentException naming it.
   */
  public static Properties read(Path file) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("--config " + file + ": no such file");
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("--config " + file + ": " + e.getMessage(), e);
    }
    return properties;
  }

  /** The keys' defaults by name, for the caller to lay the given values over. */
  public static Map<String, String> defaults(List<ConfigKey> keys) {
    Map<String, String> values = new HashMap<>();
    keys.forEach(key -> values.put(key.name(), key.defaultValue()));
    return values;
  }

  /** The value of {@code key} parsed; a number that does not parse names what was expected. */
  public static <T> T parse(
      Map<String, String> values, String key, Function<String, T> parser, String expected) {
    String raw = values.get(key);
    try {
      return parser.apply(raw);
    } catch (NumberFormatException e) {
      throw invalid(key, raw, "expected " + expected);
    }
  }

  public static void requireRange(String key, long value, long min, long max) {
    if (value < min || value > max) {
      throw invalid(key, value, "use a whole number in [" + min + ", " + max + "]");
    }
  }

  public static IllegalArgumentException invalid(String key, Object value, String fix) {
    return new IllegalArgumentException("Invalid config " + key + "=" + value + ": " + fix);
  }
}
