package io.rewardstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.app.AppConfig;
import io.rewardstream.app.RewardStreamApp;
import io.rewardstream.inference.TestModels;
import io.rewardstream.judge.Judge;
import io.rewardstream.judge.JudgeOptions;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.ReflectiveJudge;
import io.rewardstream.judge.Verdict;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code run} (config keys) and {@code eval} (command-line options) resolve the judge's settings
 * through one path: with the same settings, or none, they build the same options and the judges
 * they open give the same verdicts. The model's judge.json is the only home of the defaults.
 */
class JudgeSettingsParityTest {

  private static final List<PairInput> PAIRS =
      List.of(
          new PairInput(
              "parity-1",
              "Jack has 4 toys. Ian has 8 coins. Carl has 7 socks. How many socks does Carl have?",
              "Carl has 7 socks.",
              "The answer is 8."),
          new PairInput(
              "parity-2",
              "Gus has 9 bags with 2 stamps in each. How many stamps does Gus have?",
              "Gus has 20 stamps.",
              "Gus has 18 stamps."));

  @Test
  void unsetSettingsComeFromJudgeJsonInBothCommands() {
    // given: neither the run config nor the eval command line sets samples or temperature
    JudgeOptions run = runConfig().judgeOptions();
    JudgeOptions eval = evalOptions();
    // then: both leave them to the model, and resolve to the same settings
    assertThat(run).isEqualTo(eval);
    assertThat(run.samples()).isZero();
    assertThat(run.temperature()).isNaN();
  }

  @Test
  void setSettingsOverrideInBothCommands() {
    JudgeOptions run =
        runConfig("judge.mode", "vote", "judge.samples", "4", "judge.temperature", "0.7")
            .judgeOptions();
    JudgeOptions eval = evalOptions("--mode", "vote", "--samples", "4", "--temperature", "0.7");
    assertThat(run).isEqualTo(eval).isEqualTo(new JudgeOptions(JudgeOptions.Mode.VOTE, 4, 0.7));
  }

  @Test
  void runAndEvalJudgesGiveIdenticalVerdicts() {
    AppConfig config = runConfig();
    JudgeMixin mixin = evalMixin();
    try (Judge runJudge = RewardStreamApp.openJudge(config);
        ReflectiveJudge evalJudge = mixin.open()) {
      // the model's defaults (judge.json: 8 samples at temperature 0.5), not a CLI default
      assertThat(evalJudge.settings().describe())
          .contains("samples=8 (judge.json)", "temperature=0.5 (judge.json)");
      List<Verdict> fromRun = runJudge.judge(PAIRS);
      List<Verdict> fromEval = evalJudge.judge(PAIRS);
      assertThat(fromRun).isEqualTo(fromEval);
    }
  }

  private static AppConfig runConfig(String... keyValues) {
    Properties p = new Properties();
    p.setProperty(AppConfig.JUDGE_DIR, TestModels.judgeTiny().toString());
    p.setProperty(AppConfig.INFERENCE_INTRA_OP_THREADS, "1");
    for (int i = 0; i < keyValues.length; i += 2) {
      p.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return AppConfig.fromProperties(p);
  }

  private static JudgeOptions evalOptions(String... args) {
    return evalMixin(args).judgeOptions();
  }

  private static JudgeMixin evalMixin(String... args) {
    EvalCommand eval = new EvalCommand();
    String[] all = new String[args.length + 6];
    all[0] = "--data";
    all[1] = "unused.jsonl";
    all[2] = "--judge-dir";
    all[3] = TestModels.judgeTiny().toString();
    all[4] = "--threads";
    all[5] = "1";
    System.arraycopy(args, 0, all, 6, args.length);
    new CommandLine(eval).parseArgs(all);
    return eval.judge;
  }
}
