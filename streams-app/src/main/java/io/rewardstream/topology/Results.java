package io.rewardstream.topology;

import io.rewardstream.avro.CandidateVerdict;
import io.rewardstream.avro.JudgmentCandidate;
import io.rewardstream.avro.Preference;
import io.rewardstream.avro.ResponseOrder;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.avro.ScoreStatus;
import io.rewardstream.judge.JudgeInfo;
import io.rewardstream.judge.Verdict;
import java.time.Instant;
import java.util.List;

/** Maps a judge {@link Verdict} plus the pair's provenance onto the Avro {@link RewardResult}. */
final class Results {

  private Results() {}

  /**
   * The result of one buffered pair.
   *
   * @param scoredAtMs when the verdict was ready (epoch ms); latency = scoredAt - arrival
   */
  static RewardResult of(Verdict verdict, BufferedPair buffered, JudgeInfo judge, long scoredAtMs) {
    RolloutPair pair = buffered.pair();
    return RewardResult.newBuilder()
        .setRolloutId(pair.getRolloutId())
        .setStatus(verdict.ok() ? ScoreStatus.OK : ScoreStatus.FAILED)
        .setFailureReason(verdict.failureReason())
        .setPreferred(Preference.valueOf(verdict.preferred().name()))
        .setPABetter(verdict.pABetter())
        .setRewardA(verdict.rewardA())
        .setRewardB(verdict.rewardB())
        .setChosenAnalysis(verdict.chosenAnalysis() == null ? "" : verdict.chosenAnalysis())
        .setChosenIndex(verdict.chosenIndex())
        .setCandidates(candidates(verdict.candidates()))
        .setPositionConsistency(verdict.positionConsistency())
        .setMode(judge.mode())
        .setJudgeId(judge.id())
        .setJudgeVersion(judge.version())
        .setModelHash(judge.modelHash())
        .setSeed(verdict.seed())
        .setGenerations(verdict.generations())
        .setTokensUsed(verdict.tokensUsed())
        .setLatencyMs(Math.max(0, scoredAtMs - buffered.arrivalMs()))
        .setScoredAt(Instant.ofEpochMilli(scoredAtMs))
        .setPolicyVersion(pair.getPolicyVersion())
        .setProducedAt(pair.getProducedAt())
        .setGroupId(pair.getGroupId())
        .setSourceTopic(buffered.sourceTopic())
        .setSourcePartition(buffered.sourcePartition())
        .setSourceOffset(buffered.sourceOffset())
        .build();
  }

  private static List<JudgmentCandidate> candidates(List<Verdict.Candidate> candidates) {
    if (candidates == null) {
      return List.of();
    }
    return candidates.stream()
        .map(
            c ->
                JudgmentCandidate.newBuilder()
                    .setIndex(c.index())
                    .setOrder(ResponseOrder.valueOf(c.order().name()))
                    .setVerdict(CandidateVerdict.valueOf(c.verdict().name()))
                    .setConfidence(c.confidence())
                    .setAnchor(c.anchor())
                    .setWonReflection(c.wonReflection())
                    .setTokens(c.tokens())
                    .setText(c.text())
                    .build())
        .toList();
  }
}
