package io.rewardstream.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Where a figure was measured: cores, CPU model, JDK, and the load average when it was taken (this
 * machine is shared, so a figure without its load means little).
 */
public final class MachineInfo {

  private MachineInfo() {}

  /** CPU model name from {@code /proc/cpuinfo}, or "unknown". */
  public static String cpuModel() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
      return lines.stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** The 1-minute load average from {@code /proc/loadavg}, or NaN. */
  public static double loadAverage() {
    try {
      String text = Files.readString(Path.of("/proc/loadavg")).trim();
      return Double.parseDouble(text.split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** One line for the console. */
  public static String describe() {
    return String.format(
        Locale.ROOT,
        "%d cores (%s), Java %s (%s), load average %.2f",
        Runtime.getRuntime().availableProcessors(),
        cpuModel(),
        System.getProperty("java.version"),
        System.getProperty("java.vm.name"),
        loadAverage());
  }

  /** The same as JSON. */
  public static ObjectNode json() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("cores", Runtime.getRuntime().availableProcessors());
    node.put("cpu", cpuModel());
    node.put("java", System.getProperty("java.version"));
    node.put("jvm", System.getProperty("java.vm.name"));
    node.put("load_average_1m", loadAverage());
    return node;
  }
}
