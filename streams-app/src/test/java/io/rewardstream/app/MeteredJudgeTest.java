package io.rewardstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.rewardstream.judge.Judge;
import io.rewardstream.judge.JudgeInfo;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.Verdict;
import io.rewardstream.scoring.BatchScorer;
import io.rewardstream.scoring.JudgeClosingException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The shutdown gate: no judge call starts once closing began; the model closes once idle. */
class MeteredJudgeTest {

  /** A stand-in judge for this wrapper's test: blocks in judge() until released. */
  private static final class BlockingJudgeForTests implements Judge {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicBoolean closed = new AtomicBoolean();

    @Override
    public List<Verdict> judge(List<PairInput> batch) {
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return batch.stream().map(p -> Verdict.failed(p.rolloutId(), 0, "test")).toList();
    }

    @Override
    public int promptTokens(PairInput pair) {
      return 1;
    }

    @Override
    public JudgeInfo info() {
      return new JudgeInfo("blocking", "0", "00", "greedy");
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }

  private static final List<PairInput> ONE = List.of(new PairInput("r1", "q", "a", "b"));

  @Test
  void closingWaitsForTheCallInProgressAndRefusesNewOnes() throws Exception {
    BlockingJudgeForTests inner = new BlockingJudgeForTests();
    MeteredJudge judge = new MeteredJudge(inner, new SimpleMeterRegistry());
    Thread caller = new Thread(() -> judge.judge(ONE));
    caller.start();
    inner.entered.await();

    // a call is running: not closed within the timeout
    assertThat(judge.closeWhenIdle(Duration.ofMillis(100))).isFalse();
    assertThat(inner.closed).isFalse();
    // and no new call starts, nor becomes a FAILED verdict in the scorer
    assertThatThrownBy(() -> judge.judge(ONE)).isInstanceOf(JudgeClosingException.class);
    assertThatThrownBy(() -> new BatchScorer(judge).score(ONE))
        .isInstanceOf(JudgeClosingException.class);

    inner.release.countDown();
    caller.join();
    assertThat(judge.closeWhenIdle(Duration.ofSeconds(5))).isTrue();
    assertThat(inner.closed).isTrue();
  }

  @Test
  void anIdleJudgeClosesAtOnce() throws Exception {
    BlockingJudgeForTests inner = new BlockingJudgeForTests();
    MeteredJudge judge = new MeteredJudge(inner, new SimpleMeterRegistry());
    assertThat(judge.closeWhenIdle(Duration.ZERO)).isTrue();
    assertThat(inner.closed).isTrue();
  }
}
