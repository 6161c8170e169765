package io.rewardstream.judge;

import java.util.List;

/**
 * The one narrow seam between the streaming pipeline and the model: score a batch of pairs.
 *
 * <p>Implementations must be deterministic for a given judge version (sampling seeded from the
 * rollout id and the judge version), so that a batch scored again after a crash, or replayed, gives
 * the same verdicts. A failure to score one pair is reported in its {@link Verdict} (see {@link
 * Verdict#failed}), never thrown for the whole batch; an exception means the judge itself is
 * broken.
 *
 * <p>This package knows nothing of Kafka.
 */
public interface Judge extends AutoCloseable {

  /**
   * Scores every pair of the batch.
   *
   * @return one verdict per input, in input order
   */
  List<Verdict> judge(List<PairInput> batch);

  /**
   * Number of tokens of the longest prompt this judge would build for the pair (the response
   * preference prompt). The pipeline dead-letters pairs over its token budget before scoring.
   */
  int promptTokens(PairInput pair);

  /**
   * The longest prompt, in {@link #promptTokens} terms, this judge can score (its context minus the
   * room a judgment needs); unlimited unless the judge says otherwise. The pipeline's token budget
   * is capped by it, so a pair the model cannot take is dead-lettered before scoring.
   */
  default int maxPromptTokens() {
    return Integer.MAX_VALUE;
  }

  /** Identity of the judge that goes into every result (id, version, model hash, mode). */
  JudgeInfo info();

  /** Releases native resources (model sessions). */
  @Override
  void close();
}
