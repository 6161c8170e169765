package io.rewardstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewardstream.judge.Judge;
import io.rewardstream.judge.JudgeInfo;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.Verdict;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PairCostProbeTest {

  /** A FAKE judge (no model): answers each batch with {@code answer} after sleeping. */
  static Judge fakeJudge(long sleepMs, Function<PairInput, Verdict> answer) {
    return new Judge() {
      @Override
      public List<Verdict> judge(List<PairInput> batch) {
        try {
          Thread.sleep(sleepMs);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return batch.stream().map(answer).toList();
      }

      @Override
      public int promptTokens(PairInput pair) {
        return 1;
      }

      @Override
      public JudgeInfo info() {
        return new JudgeInfo("fake", "0", "0".repeat(64), "greedy");
      }

      @Override
      public void close() {}
    };
  }

  static Verdict ok(PairInput pair) {
    return new Verdict(
        pair.rolloutId(),
        Verdict.Preference.A,
        1.0,
        0.5,
        -0.5,
        "",
        -1,
        List.of(),
        null,
        1,
        2,
        10,
        null);
  }

  @Test
  void theCostPerPairIsTheWarmUpBatchTimeOverItsPairs() {
    long cost = PairCostProbe.measureMs(fakeJudge(200, PairCostProbeTest::ok));

    // 200 ms for a batch of 2: about 100 ms per pair (sleep may overshoot, never undershoot).
    assertThat(cost).isBetween(100L, 400L);
  }

  @Test
  void aJudgeThatCannotScoreTheWarmUpIsRefusedBeforeTheAppStarts() {
    Judge broken = fakeJudge(0, p -> Verdict.failed(p.rolloutId(), 1, "model exploded"));

    assertThatThrownBy(() -> PairCostProbe.measureMs(broken))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("warm-up-1")
        .hasMessageContaining("model exploded");
  }
}
