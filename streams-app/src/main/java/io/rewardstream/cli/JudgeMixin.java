package io.rewardstream.cli;

import io.rewardstream.app.AppConfig;
import io.rewardstream.inference.InferenceOptions;
import io.rewardstream.judge.JudgeOptions;
import io.rewardstream.judge.ReflectiveJudge;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import picocli.CommandLine.Option;

/** The judge options every scoring command shares: which model, which mode, which device. */
public final class JudgeMixin {

  @Option(
      names = "--judge-dir",
      paramLabel = "DIR",
      description =
          "Model directory with model.onnx, tokenizer.json, judge.json (default: the bundled"
              + " ${DEFAULT-VALUE}).",
      defaultValue = "models/judge-tiny")
  Path judgeDir;

  @Option(
      names = "--mode",
      description = "greedy | vote | reflect (default: ${DEFAULT-VALUE}).",
      defaultValue = "reflect")
  String mode;

  @Option(
      names = "--samples",
      paramLabel = "N",
      description =
          "Sampled judgments per pair in vote/reflect, half per order (default: judge.json).",
      defaultValue = "0")
  int samples;

  @Option(
      names = "--temperature",
      paramLabel = "T",
      description = "Sampling temperature of judgments (default: judge.json).")
  Double temperature;

  @Option(
      names = "--device",
      description =
          "cpu | cuda (cuda needs the gpu build; untested here) (default: ${DEFAULT-VALUE}).",
      defaultValue = "cpu")
  String device;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "ONNX Runtime intra-op threads, 0 = all cores (default: ${DEFAULT-VALUE}).",
      defaultValue = "0")
  int threads;

  @Option(
      names = "--max-batch-rows",
      paramLabel = "N",
      description =
          "Most sequences decoded together; waiting ones join as rows finish, 0 = all at once"
              + " (default: ${DEFAULT-VALUE}).",
      defaultValue = "0")
  int maxBatchRows;

  /**
   * Writes these options as {@code run} config keys, for commands that start the app themselves
   * (the demo); samples and temperature left unset keep the model's own defaults.
   *
   * @param p the properties to add to
   */
  public void putAppConfig(Properties p) {
    p.setProperty(AppConfig.JUDGE_DIR, judgeDir.toString());
    p.setProperty(AppConfig.JUDGE_MODE, mode);
    if (samples > 0) {
      p.setProperty(AppConfig.JUDGE_SAMPLES, Integer.toString(samples));
    }
    if (temperature != null) {
      p.setProperty(AppConfig.JUDGE_TEMPERATURE, temperature.toString());
    }
    p.setProperty(AppConfig.INFERENCE_DEVICE, device);
    p.setProperty(AppConfig.INFERENCE_INTRA_OP_THREADS, Integer.toString(threads));
    p.setProperty(AppConfig.INFERENCE_MAX_BATCH_ROWS, Integer.toString(maxBatchRows));
  }

  JudgeOptions judgeOptions() {
    return new JudgeOptions(
        JudgeOptions.Mode.parse(mode), samples, temperature == null ? Double.NaN : temperature);
  }

  InferenceOptions inferenceOptions() {
    InferenceOptions.Device d;
    try {
      d = InferenceOptions.Device.valueOf(device.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--device must be cpu or cuda, got '" + device + "'", e);
    }
    if (maxBatchRows < 0) {
      throw new IllegalArgumentException(
          "--max-batch-rows must be >= 0 (0 = all at once), got " + maxBatchRows);
    }
    return new InferenceOptions(d, threads, 0, maxBatchRows);
  }

  ReflectiveJudge open() {
    return ReflectiveJudge.open(judgeDir, judgeOptions(), inferenceOptions());
  }
}
