package io.rewardstream.judge;

import io.rewardstream.judge.JudgeOptions.Mode;
import java.util.Locale;

/**
 * The judge's scoring settings as they are used, resolved in one place for every command ({@code
 * run}, {@code eval}, {@code replay}, {@code demo}, {@code bench}): the model's {@code judge.json}
 * is the only home of defaults, and what the user set (config key or command-line option) overrides
 * it. Greedy mode fixes both: one judgment per order at temperature 0.
 *
 * @param mode greedy, vote or reflect
 * @param samples judgments generated per pair (half per order)
 * @param temperature sampling temperature of judgments
 * @param samplesFrom where {@code samples} came from: "judge.json", "set" or "greedy"
 * @param temperatureFrom where {@code temperature} came from: "judge.json", "set" or "greedy"
 */
public record JudgeSettings(
    Mode mode, int samples, double temperature, String samplesFrom, String temperatureFrom) {

  static final String FROM_MODEL = "judge.json";
  static final String FROM_USER = "set";
  static final String FROM_MODE = "greedy";

  /**
   * Resolves the options the user gave against the model's defaults.
   *
   * @param options what the user set (0 samples / NaN temperature = not set)
   * @param model the model's judge.json
   * @return the settings the judge runs with
   */
  public static JudgeSettings resolve(JudgeOptions options, JudgeConfig model) {
    if (options.mode() == Mode.GREEDY) {
      return new JudgeSettings(Mode.GREEDY, 2, 0, FROM_MODE, FROM_MODE);
    }
    boolean samplesSet = options.samples() > 0;
    boolean temperatureSet = !Double.isNaN(options.temperature());
    return new JudgeSettings(
        options.mode(),
        samplesSet ? options.samples() : model.samples(),
        temperatureSet ? options.temperature() : model.temperature(),
        samplesSet ? FROM_USER : FROM_MODEL,
        temperatureSet ? FROM_USER : FROM_MODEL);
  }

  /** One line for start-up logs and reports, e.g. "mode=reflect samples=8 (judge.json) ...". */
  public String describe() {
    return String.format(
        Locale.ROOT,
        "mode=%s samples=%d (%s) temperature=%s (%s)",
        mode.label(),
        samples,
        samplesFrom,
        temperature,
        temperatureFrom);
  }
}
