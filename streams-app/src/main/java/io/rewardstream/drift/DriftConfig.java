package io.rewardstream.drift;

import static io.rewardstream.config.ConfigValues.invalid;
import static io.rewardstream.config.ConfigValues.parse;
import static io.rewardstream.config.ConfigValues.requireRange;

import io.rewardstream.config.ConfigKey;
import io.rewardstream.config.ConfigValues;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Settings of reward-drift monitoring: immutable, validated on construction.
 *
 * <p>Loaded from {@link Properties} with {@link #fromProperties(Properties)}: only the {@code
 * drift.*} keys are read (see {@link #KEYS} for each with its default and meaning), so the
 * application's whole config file can be passed in. An unknown {@code drift.*} key is rejected, so
 * a typo does not silently leave a default in force.
 *
 * @param groupBy which results share a window series and a reference
 * @param window window size
 * @param hop how far each window advances; equal to {@code window} for tumbling windows
 * @param grace how long after a window's end late results are still counted; the window's
 *     statistics are emitted (once) when stream time passes end + grace
 * @param bins number of equal-width p_a_better histogram bins over [0, 1]
 * @param referenceWindows number of disjoint windows pooled into each key's reference
 * @param referenceStart when present, the reference is the first {@code referenceWindows} disjoint
 *     windows starting at or after this instant (a pinned reference), and earlier windows are
 *     neither pooled nor tested; when empty, each key's first windows are its reference
 * @param psiThreshold PSI above which a PSI alert is raised
 * @param psiMinCount scored results a window (and the reference) needs before PSI is tested
 * @param ksAlpha significance level of the KS test
 * @param meanShiftThreshold reward-margin mean shift, in standard errors, above which an alert is
 *     raised
 * @param minCount scored results a window needs before it is pooled into a reference or tested
 * @param groupSpreadDrop group drift: GROUP_SPREAD when the mean within-group reward spread fell
 *     below (1 - this) of the reference's
 * @param groupTiesRise group drift: GROUP_TIES when the share of all-tie groups rose more than this
 * @param groupMinCount group drift: OK groups a window needs before it is pooled or tested
 */
public record DriftConfig(
    GroupBy groupBy,
    Duration window,
    Duration hop,
    Duration grace,
    int bins,
    int referenceWindows,
    Optional<Instant> referenceStart,
    double psiThreshold,
    long psiMinCount,
    double ksAlpha,
    double meanShiftThreshold,
    long minCount,
    double groupSpreadDrop,
    double groupTiesRise,
    long groupMinCount) {

  public static final String GROUP_BY = "drift.group.by";
  public static final String WINDOW_MS = "drift.window.ms";
  public static final String HOP_MS = "drift.hop.ms";
  public static final String GRACE_MS = "drift.grace.ms";
  public static final String BINS = "drift.bins";
  public static final String REFERENCE_WINDOWS = "drift.reference.windows";
  public static final String REFERENCE_START = "drift.reference.start";
  public static final String PSI_THRESHOLD = "drift.psi.threshold";
  public static final String PSI_MIN_COUNT = "drift.psi.min.count";
  public static final String KS_ALPHA = "drift.ks.alpha";
  public static final String MEAN_SHIFT_THRESHOLD = "drift.mean.shift.threshold";
  public static final String MIN_COUNT = "drift.min.count";
  public static final String GROUP_SPREAD_DROP = "drift.group.spread.drop";
  public static final String GROUP_TIES_RISE = "drift.group.ties.rise";
  public static final String GROUP_MIN_COUNT = "drift.group.min.count";

  /** Every key, in documentation order. */
  public static final List<ConfigKey> KEYS =
      List.of(
          new ConfigKey(
              GROUP_BY,
              "policy+judge",
              "one series per policy+judge version (default), per judge (all policies pooled)"
                  + " or per policy (all judges pooled)"),
          new ConfigKey(WINDOW_MS, "300000", "window size, ms (5 min)"),
          new ConfigKey(HOP_MS, "", "window advance, ms; empty = window size (tumbling windows)"),
          new ConfigKey(
              GRACE_MS, "30000", "late results still counted this long after a window ends"),
          new ConfigKey(BINS, "10", "equal-width p_a_better histogram bins over [0, 1]"),
          new ConfigKey(
              REFERENCE_WINDOWS, "3", "disjoint windows pooled into each key's reference"),
          new ConfigKey(
              REFERENCE_START,
              "",
              "pin the reference to windows starting at/after this time (epoch ms or ISO-8601);"
                  + " empty = each key's first windows"),
          new ConfigKey(PSI_THRESHOLD, "0.2", "PSI above this raises an alert (0.2 = significant)"),
          new ConfigKey(PSI_MIN_COUNT, "200", "scored results a window needs before PSI is tested"),
          new ConfigKey(KS_ALPHA, "0.01", "KS alert when D > critical value at this level"),
          new ConfigKey(MEAN_SHIFT_THRESHOLD, "4.0", "margin mean shift alert, in standard errors"),
          new ConfigKey(MIN_COUNT, "30", "scored results a window needs to be pooled or tested"),
          new ConfigKey(
              GROUP_SPREAD_DROP,
              "0.5",
              "GROUP_SPREAD alert when the mean within-group reward spread fell by this share"),
          new ConfigKey(
              GROUP_TIES_RISE,
              "0.2",
              "GROUP_TIES alert when the share of all-tie groups rose by more than this"),
          new ConfigKey(GROUP_MIN_COUNT, "20", "OK groups a window needs to be pooled or tested"));

  private static final Set<String> NAMES = Set.copyOf(KEYS.stream().map(ConfigKey::name).toList());
  private static final String PREFIX = "drift.";

  /** Validates every field; the message names the key, the value and the fix. */
  public DriftConfig {
    if (groupBy == null) {
      throw invalid(GROUP_BY, null, "use one of " + groupByValues());
    }
    requireMs(WINDOW_MS, window, 1);
    requireMs(HOP_MS, hop, 1);
    if (hop.compareTo(window) > 0) {
      throw invalid(HOP_MS, hop.toMillis(), "the hop must not exceed " + WINDOW_MS + " (gaps)");
    }
    requireMs(GRACE_MS, grace, 0);
    requireRange(BINS, bins, 2, 1000);
    requireRange(REFERENCE_WINDOWS, referenceWindows, 1, 10_000);
    referenceStart = referenceStart == null ? Optional.empty() : referenceStart;
    if (!(psiThreshold > 0.0 && psiThreshold < 100.0)) {
      throw invalid(PSI_THRESHOLD, psiThreshold, "use a number in (0, 100), e.g. 0.2");
    }
    requireRange(MIN_COUNT, minCount, 2, Integer.MAX_VALUE);
    requireRange(PSI_MIN_COUNT, psiMinCount, 2, Integer.MAX_VALUE);
    if (!(ksAlpha > 0.0 && ksAlpha <= 0.5)) {
      throw invalid(KS_ALPHA, ksAlpha, "use a significance level in (0, 0.5], e.g. 0.01");
    }
    if (!(meanShiftThreshold > 0.0 && meanShiftThreshold < 1000.0)) {
      throw invalid(MEAN_SHIFT_THRESHOLD, meanShiftThreshold, "use a number in (0, 1000), e.g. 4");
    }
    if (!(groupSpreadDrop > 0.0 && groupSpreadDrop < 1.0)) {
      throw invalid(GROUP_SPREAD_DROP, groupSpreadDrop, "use a share in (0, 1), e.g. 0.5");
    }
    if (!(groupTiesRise > 0.0 && groupTiesRise < 1.0)) {
      throw invalid(GROUP_TIES_RISE, groupTiesRise, "use a share in (0, 1), e.g. 0.2");
    }
    requireRange(GROUP_MIN_COUNT, groupMinCount, 1, Integer.MAX_VALUE);
  }

  /** The defaults. */
  public static DriftConfig defaults() {
    return fromProperties(new Properties());
  }

  /**
   * Reads the {@code drift.*} keys; missing ones take their defaults, other keys are ignored.
   *
   * @throws IllegalArgumentException for an unknown {@code drift.*} key or an invalid value
   */
  public static DriftConfig fromProperties(Properties properties) {
    Map<String, String> values = ConfigValues.defaults(KEYS);
    for (String name : properties.stringPropertyNames()) {
      if (!name.startsWith(PREFIX)) {
        continue;
      }
      if (!NAMES.contains(name)) {
        throw invalid(name, properties.getProperty(name), "unknown key; known: " + names());
      }
      values.put(name, properties.getProperty(name).trim());
    }
    Duration window = Duration.ofMillis(parse(values, WINDOW_MS, Long::parseLong, "ms"));
    String hop = values.get(HOP_MS);
    GroupBy groupBy = GroupBy.fromConfigValue(values.get(GROUP_BY));
    if (groupBy == null) {
      throw invalid(GROUP_BY, values.get(GROUP_BY), "use one of " + groupByValues());
    }
    return new DriftConfig(
        groupBy,
        window,
        hop.isEmpty() ? window : Duration.ofMillis(parse(values, HOP_MS, Long::parseLong, "ms")),
        Duration.ofMillis(parse(values, GRACE_MS, Long::parseLong, "ms, e.g. 30000")),
        parse(values, BINS, Integer::parseInt, "a whole number, e.g. 10"),
        parse(values, REFERENCE_WINDOWS, Integer::parseInt, "a whole number, e.g. 3"),
        parseInstant(values.get(REFERENCE_START)),
        parse(values, PSI_THRESHOLD, Double::parseDouble, "a number, e.g. 0.2"),
        parse(values, PSI_MIN_COUNT, Long::parseLong, "a whole number, e.g. 200"),
        parse(values, KS_ALPHA, Double::parseDouble, "a number, e.g. 0.01"),
        parse(values, MEAN_SHIFT_THRESHOLD, Double::parseDouble, "a number, e.g. 4"),
        parse(values, MIN_COUNT, Long::parseLong, "a whole number, e.g. 30"),
        parse(values, GROUP_SPREAD_DROP, Double::parseDouble, "a share, e.g. 0.5"),
        parse(values, GROUP_TIES_RISE, Double::parseDouble, "a share, e.g. 0.2"),
        parse(values, GROUP_MIN_COUNT, Long::parseLong, "a whole number, e.g. 20"));
  }

  /** True when the windows overlap (hop shorter than the window). */
  public boolean hopping() {
    return hop.compareTo(window) < 0;
  }

  private static Optional<Instant> parseInstant(String raw) {
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.ofEpochMilli(Long.parseLong(raw)));
    } catch (NumberFormatException notMillis) {
      try {
        return Optional.of(Instant.parse(raw));
      } catch (DateTimeParseException e) {
        throw invalid(
            REFERENCE_START, raw, "use epoch ms or an ISO-8601 instant like 2026-01-31T12:00:00Z");
      }
    }
  }

  private static void requireMs(String key, Duration value, long min) {
    if (value == null
        || value.toMillis() < min
        || value.toMillis() > Duration.ofDays(365).toMillis()) {
      throw invalid(
          key,
          value == null ? null : value.toMillis(),
          "use milliseconds in [" + min + ", 1 year]");
    }
  }

  private static List<String> groupByValues() {
    return Arrays.stream(GroupBy.values()).map(GroupBy::configValue).toList();
  }

  private static List<String> names() {
    return KEYS.stream().map(ConfigKey::name).toList();
  }
}
