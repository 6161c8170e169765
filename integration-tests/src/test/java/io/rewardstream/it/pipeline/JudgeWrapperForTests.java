package io.rewardstream.it.pipeline;

import io.rewardstream.judge.ForwardingJudge;
import io.rewardstream.judge.Judge;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.Verdict;
import java.util.List;

/**
 * A real judge with a test's behaviour put in front of each judge call ({@link #beforeCall}): the
 * base of the stand-ins the ITs name as such (a slow judge, one that kills its process). The
 * verdicts are always the real judge's.
 */
abstract class JudgeWrapperForTests extends ForwardingJudge {

  JudgeWrapperForTests(Judge real) {
    super(real);
  }

  /** Runs before the real judge sees the batch. */
  abstract void beforeCall(List<PairInput> batch);

  @Override
  public List<Verdict> judge(List<PairInput> batch) {
    beforeCall(batch);
    return super.judge(batch);
  }
}
