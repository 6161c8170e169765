package io.rewardstream.bench;

import io.rewardstream.judge.Judge;
import io.rewardstream.judge.JudgeInfo;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.Verdict;
import java.util.ArrayList;
import java.util.List;

/**
 * NOT A JUDGE: answers every pair with a fixed verdict (A, p = 0.75) at once, without a model. It
 * exists only to measure the topology's own ceiling (broker, EOS transactions, the changelogged
 * batch buffer, Avro serdes) with the judge's cost taken out. Its results say so in their judge id.
 */
public final class TrivialJudgeForBenchmarks implements Judge {

  private static final JudgeInfo INFO =
      new JudgeInfo("trivial-judge-for-benchmarks", "0", "no-model", "trivial");

  @Override
  public List<Verdict> judge(List<PairInput> batch) {
    List<Verdict> out = new ArrayList<>(batch.size());
    for (PairInput pair : batch) {
      out.add(
          new Verdict(
              pair.rolloutId(),
              Verdict.Preference.A,
              0.75,
              0.25,
              -0.25,
              "",
              -1,
              List.of(),
              null,
              0,
              0,
              0,
              null));
    }
    return out;
  }

  /** One token per character: only here so the token-budget check has something to read. */
  @Override
  public int promptTokens(PairInput pair) {
    return pair.prompt().length() + pair.responseA().length() + pair.responseB().length();
  }

  @Override
  public JudgeInfo info() {
    return INFO;
  }

  @Override
  public void close() {}
}
