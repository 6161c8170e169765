package io.rewardstream.topology;

import io.rewardstream.judge.Judge;
import io.rewardstream.judge.JudgeInfo;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.Verdict;
import io.rewardstream.judge.Verdict.Candidate;
import io.rewardstream.judge.Verdict.CandidateVerdict;
import io.rewardstream.judge.Verdict.Order;
import io.rewardstream.judge.Verdict.Preference;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A FAKE judge for topology tests only: it runs no model. Verdicts are derived from the rollout id
 * (so they are deterministic and checkable); it can be told to fail one pair (a verdict with a
 * failure reason), to throw for any batch that contains a pair, or to throw while counting tokens.
 * "Does the judge work" is tested with the real bundled model elsewhere.
 */
final class FakeJudgeForTopologyTests implements Judge {

  static final JudgeInfo INFO = new JudgeInfo("fake-judge", "0.0-test", "feedface", "reflect");

  /** One prompt token per character of prompt + both responses. */
  static int tokensOf(PairInput pair) {
    return pair.prompt().length() + pair.responseA().length() + pair.responseB().length();
  }

  private final Set<String> failIds = new HashSet<>();
  private final Set<String> throwIds = new HashSet<>();
  private final Set<String> tokenThrowIds = new HashSet<>();
  private final Set<String> malformedIds = new HashSet<>();
  // the judge lane calls from its own thread
  private final List<List<String>> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile long callMs;
  private volatile java.util.concurrent.CountDownLatch gate;

  /** Every judge call waits for this latch before it answers (a judge call in progress). */
  FakeJudgeForTopologyTests holdingUntil(java.util.concurrent.CountDownLatch latch) {
    gate = latch;
    return this;
  }

  /** Every judge call takes this long in real time (a slow model, for the buffer's clock). */
  FakeJudgeForTopologyTests taking(long ms) {
    callMs = ms;
    return this;
  }

  /** The judge reports a failed verdict for this id. */
  FakeJudgeForTopologyTests failing(String rolloutId) {
    failIds.add(rolloutId);
    return this;
  }

  /** The judge throws for any batch (even of one) that contains this id. */
  FakeJudgeForTopologyTests throwingOn(String rolloutId) {
    throwIds.add(rolloutId);
    return this;
  }

  /** The judge answers this id with a candidate that has no order (a judge bug). */
  FakeJudgeForTopologyTests malformedFor(String rolloutId) {
    malformedIds.add(rolloutId);
    return this;
  }

  /** promptTokens throws for this id. */
  FakeJudgeForTopologyTests throwingTokensOn(String rolloutId) {
    tokenThrowIds.add(rolloutId);
    return this;
  }

  /** The rollout ids of every judge call, in call order. */
  List<List<String>> calls() {
    return calls;
  }

  static long seedOf(String rolloutId) {
    return rolloutId.hashCode() * 31L + 7;
  }

  /** The verdict this fake gives an id that it is not told to fail. */
  static Verdict verdictFor(String id) {
    boolean aWins = Math.floorMod(id.hashCode(), 2) == 0;
    double p = aWins ? 0.75 : 0.25;
    List<Candidate> candidates =
        List.of(
            new Candidate(
                0,
                Order.AB,
                aWins ? CandidateVerdict.A : CandidateVerdict.B,
                -0.5,
                true,
                null,
                12,
                "analysis 0 of " + id),
            new Candidate(1, Order.BA, CandidateVerdict.ABSTAIN, -1.5, false, false, 9, null));
    return new Verdict(
        id,
        aWins ? Preference.A : Preference.B,
        p,
        p - 0.5,
        0.5 - p,
        "analysis 0 of " + id,
        0,
        candidates,
        0.5,
        seedOf(id),
        3,
        21,
        null);
  }

  @Override
  public List<Verdict> judge(List<PairInput> batch) {
    List<String> ids = batch.stream().map(PairInput::rolloutId).toList();
    calls.add(ids);
    java.util.concurrent.CountDownLatch latch = gate;
    if (latch != null) {
      try {
        latch.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (callMs > 0) {
      try {
        Thread.sleep(callMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (String id : ids) {
      if (throwIds.contains(id)) {
        throw new IllegalStateException("fake judge told to throw on " + id);
      }
    }
    return ids.stream().map(this::answer).toList();
  }

  private Verdict answer(String id) {
    if (failIds.contains(id)) {
      return Verdict.failed(id, seedOf(id), "told to fail");
    }
    Verdict verdict = verdictFor(id);
    if (malformedIds.contains(id)) {
      Candidate broken = new Candidate(0, null, CandidateVerdict.A, -1, true, null, 1, "x");
      return new Verdict(
          id,
          verdict.preferred(),
          verdict.pABetter(),
          verdict.rewardA(),
          verdict.rewardB(),
          "",
          0,
          List.of(broken),
          null,
          verdict.seed(),
          1,
          1,
          null);
    }
    return verdict;
  }

  @Override
  public int promptTokens(PairInput pair) {
    if (tokenThrowIds.contains(pair.rolloutId())) {
      throw new IllegalStateException("fake tokenizer told to throw on " + pair.rolloutId());
    }
    return tokensOf(pair);
  }

  @Override
  public JudgeInfo info() {
    return INFO;
  }

  @Override
  public void close() {}
}
