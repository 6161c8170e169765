package io.rewardstream.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.judge.Judge;
import io.rewardstream.judge.JudgeInfo;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchScorerTest {

  /**
   * A FAKE judge for this test: batches of more than {@code maxBatch} pairs fail (like a device out
   * of memory), and each id in {@code failuresLeft} fails that many more times when alone.
   */
  private static final class FlakyJudgeForBatchScorerTest implements Judge {
    final int maxBatch;
    final Map<String, Integer> failuresLeft = new HashMap<>();
    final List<Integer> callSizes = new ArrayList<>();

    FlakyJudgeForBatchScorerTest(int maxBatch) {
      this.maxBatch = maxBatch;
    }

    @Override
    public List<Verdict> judge(List<PairInput> batch) {
      callSizes.add(batch.size());
      if (batch.size() > maxBatch) {
        throw new IllegalStateException("out of device memory for " + batch.size() + " pairs");
      }
      String id = batch.get(0).rolloutId();
      int left = failuresLeft.getOrDefault(id, 0);
      if (left > 0) {
        failuresLeft.put(id, left - 1);
        throw new IllegalStateException("transient failure on " + id);
      }
      return batch.stream()
          .map(
              p ->
                  new Verdict(
                      p.rolloutId(),
                      Verdict.Preference.A,
                      0.8,
                      0.3,
                      -0.3,
                      "",
                      -1,
                      List.of(),
                      null,
                      7,
                      1,
                      1,
                      null))
          .toList();
    }

    @Override
    public int promptTokens(PairInput pair) {
      return 1;
    }

    @Override
    public JudgeInfo info() {
      return new JudgeInfo("flaky", "0", "00", "greedy");
    }

    @Override
    public void close() {}
  }

  private static List<PairInput> pairs(String... ids) {
    return java.util.Arrays.stream(ids).map(id -> new PairInput(id, "q", "a", "b")).toList();
  }

  @Test
  void aBatchTooBigForTheDeviceIsRetriedPairByPairAfterABackoff() {
    FlakyJudgeForBatchScorerTest judge = new FlakyJudgeForBatchScorerTest(1);
    List<Duration> waits = new ArrayList<>();

    List<Verdict> verdicts = new BatchScorer(judge, waits::add).score(pairs("r1", "r2", "r3"));

    assertThat(verdicts).allMatch(Verdict::ok);
    assertThat(judge.callSizes).containsExactly(3, 1, 1, 1);
    assertThat(waits).containsExactly(BatchScorer.BACKOFF);
  }

  @Test
  void aPairThatFailsAloneOnceIsTriedAgainAndOneThatKeepsFailingIsFailed() {
    FlakyJudgeForBatchScorerTest judge = new FlakyJudgeForBatchScorerTest(1);
    judge.failuresLeft.put("r1", 1);
    judge.failuresLeft.put("r2", 5);
    List<Duration> waits = new ArrayList<>();

    List<Verdict> verdicts = new BatchScorer(judge, waits::add).score(pairs("r1", "r2", "r3"));

    assertThat(verdicts.get(0).ok()).isTrue();
    assertThat(verdicts.get(1).ok()).isFalse();
    assertThat(verdicts.get(1).failureReason()).contains("transient failure on r2");
    assertThat(verdicts.get(2).ok()).isTrue();
    // the batch, r1 twice, r2 twice, r3 once; a backoff before the singles and before each retry
    assertThat(judge.callSizes).containsExactly(3, 1, 1, 1, 1, 1);
    assertThat(waits).hasSize(3);
  }
}
