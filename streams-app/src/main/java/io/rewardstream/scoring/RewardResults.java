package io.rewardstream.scoring;

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

/**
 * Maps a judge {@link Verdict} plus the pair's provenance onto the Avro {@link RewardResult}: the
 * one mapping that the streaming topology and replay share, so a replayed result has exactly the
 * fields a streamed one has.
 */
public final class RewardResults {

  private RewardResults() {}

  /**
   * The result of one scored pair.
   *
   * @param sourceTopic, sourcePartition, sourceOffset where the pair was read
   * @param latencyMs time from the pair's arrival to its verdict (clamped to >= 0)
   * @param scoredAtMs when the verdict was ready (epoch ms)
   */
  public static RewardResult of(
      Verdict verdict,
      RolloutPair pair,
      String sourceTopic,
      int sourcePartition,
      long sourceOffset,
      JudgeInfo judge,
      long latencyMs,
      long scoredAtMs) {
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
        .setLatencyMs(Math.max(0, latencyMs))
        .setScoredAt(Instant.ofEpochMilli(scoredAtMs))
        .setPolicyVersion(pair.getPolicyVersion())
        .setProducedAt(pair.getProducedAt())
        .setGroupId(pair.getGroupId())
        .setSourceTopic(sourceTopic)
        .setSourcePartition(sourcePartition)
        .setSourceOffset(sourceOffset)
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
