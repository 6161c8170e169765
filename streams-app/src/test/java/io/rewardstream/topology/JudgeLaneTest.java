package io.rewardstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.Verdict;
import io.rewardstream.scoring.PairInputs;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The judge lane's one-batch-at-a-time rule and its drain before a clean shutdown. */
class JudgeLaneTest {

  private final FakeJudgeForTopologyTests judge = new FakeJudgeForTopologyTests();

  private static List<PairInput> batch(String id) {
    return List.of(PairInputs.of(RewardTopologyTest.pair(id).build()));
  }

  @Test
  void oneBatchAtATimeAndADrainWaitsUntilTheVerdictsAreTaken() throws Exception {
    CountDownLatch answer = new CountDownLatch(1);
    judge.holdingUntil(answer);
    try (JudgeLane lane = JudgeLane.over(judge)) {
      Future<List<Verdict>> verdicts = lane.submit(batch("r1"));
      assertThat(lane.accepts()).isFalse();
      assertThatThrownBy(() -> lane.submit(batch("r2"))).isInstanceOf(IllegalStateException.class);

      CompletableFuture<Boolean> drained =
          CompletableFuture.supplyAsync(() -> lane.drain(Duration.ofSeconds(20)));
      // the judge still holds the batch: the drain cannot be over
      Thread.sleep(200);
      assertThat(drained).isNotDone();

      answer.countDown();
      assertThat(verdicts.get(10, TimeUnit.SECONDS)).hasSize(1);
      assertThat(lane.idle()).isTrue();
      assertThat(lane.accepts()).as("a draining lane takes no new batch").isFalse();

      // done but not yet forwarded: the drain waits for the task to take the verdicts
      lane.claimed(verdicts);
      assertThat(drained.get(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aDrainGivesUpWhenTheVerdictsAreNeverTaken() throws Exception {
    try (JudgeLane lane = JudgeLane.over(judge)) {
      Future<List<Verdict>> verdicts = lane.submit(batch("r1"));
      verdicts.get(10, TimeUnit.SECONDS);

      assertThat(lane.drain(Duration.ofMillis(100))).isFalse();
    }
  }
}
