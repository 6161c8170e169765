package io.rewardstream.topology;

import io.rewardstream.avro.RewardResult;
import io.rewardstream.judge.JudgeInfo;
import io.rewardstream.judge.Verdict;
import io.rewardstream.scoring.RewardResults;

/** The {@link RewardResults} mapping applied to a buffered pair and its provenance. */
final class Results {

  private Results() {}

  /**
   * The result of one buffered pair.
   *
   * @param scoredAtMs when the verdict was ready (epoch ms); latency = scoredAt - arrival
   */
  static RewardResult of(Verdict verdict, BufferedPair buffered, JudgeInfo judge, long scoredAtMs) {
    return RewardResults.of(
        verdict,
        buffered.pair(),
        buffered.sourceTopic(),
        buffered.sourcePartition(),
        buffered.sourceOffset(),
        judge,
        scoredAtMs - buffered.arrivalMs(),
        scoredAtMs);
  }
}
