package io.rewardstream.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.judge.Judge;
import io.rewardstream.judge.JudgeInfo;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one token-budget check: configured budget, capped by the judge's own limit. */
class BudgetCheckTest {

  /** Counts a prompt as its prompt text's length; knows nothing else (a fake for this test). */
  private record LengthCountingFakeJudge(int limit) implements Judge {
    @Override
    public List<Verdict> judge(List<PairInput> batch) {
      throw new UnsupportedOperationException("not scored in this test");
    }

    @Override
    public int promptTokens(PairInput pair) {
      return pair.prompt().length();
    }

    @Override
    public int maxPromptTokens() {
      return limit;
    }

    @Override
    public JudgeInfo info() {
      return new JudgeInfo("fake", "0", "none", "greedy");
    }

    @Override
    public void close() {}
  }

  private static PairInput pair(int promptLength) {
    return new PairInput("r1", "x".repeat(promptLength), "a", "b");
  }

  @Test
  void theJudgesOwnLimitCapsALargerConfiguredBudget() {
    Judge judge = new LengthCountingFakeJudge(10);
    assertThat(Rejection.checkBudget(judge, pair(10), 200)).isEmpty();
    Rejection over = Rejection.checkBudget(judge, pair(11), 200).orElseThrow();
    assertThat(over.code()).isEqualTo(DeadLetterReason.OVER_TOKEN_BUDGET);
    assertThat(over.reason()).contains("is 11 tokens").contains("=10");
  }

  @Test
  void aSmallerConfiguredBudgetWinsAndZeroMeansOnlyTheJudgesLimit() {
    Judge judge = new LengthCountingFakeJudge(100);
    assertThat(Rejection.checkBudget(judge, pair(30), 20)).isPresent();
    assertThat(Rejection.checkBudget(judge, pair(30), 0)).isEmpty();
    assertThat(Rejection.checkBudget(judge, pair(101), 0)).isPresent();
    assertThat(Rejection.checkBudget(new LengthCountingFakeJudge(Integer.MAX_VALUE), pair(5000), 0))
        .isEmpty();
  }
}
