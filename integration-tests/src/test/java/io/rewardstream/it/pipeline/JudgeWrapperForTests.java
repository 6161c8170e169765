package io.rewardstream.it.pipeline;

import io.rewardstream.judge.Judge;
import io.rewardstream.judge.JudgeInfo;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.Verdict;
import java.util.List;

/**
 * A real judge with a test's behaviour put in front of each judge call ({@link #beforeCall}): the
 * base of the stand-ins the ITs name as such (a slow judge, one that kills its process). The
 * verdicts are always the real judge's.
 */
abstract class JudgeWrapperForTests implements Judge {

  private final Judge real;

  JudgeWrapperForTests(Judge real) {
    this.real = real;
  }

  /** Runs before the real judge sees the batch. */
  abstract void beforeCall(List<PairInput> batch);

  @Override
  public List<Verdict> judge(List<PairInput> batch) {
    beforeCall(batch);
    return real.judge(batch);
  }

  @Override
  public int promptTokens(PairInput pair) {
    return real.promptTokens(pair);
  }

  @Override
  public int maxPromptTokens() {
    return real.maxPromptTokens();
  }

  @Override
  public JudgeInfo info() {
    return real.info();
  }

  @Override
  public void close() {
    real.close();
  }
}
