package io.rewardstream.topology;

import io.rewardstream.avro.ComparisonOutcome;
import io.rewardstream.avro.GroupComparison;
import io.rewardstream.avro.GroupRewardResult;
import io.rewardstream.avro.GroupStatus;
import io.rewardstream.avro.ResponseReward;
import io.rewardstream.judge.JudgeInfo;
import io.rewardstream.judge.group.Comparison;
import io.rewardstream.judge.group.GroupScores;
import io.rewardstream.judge.group.GroupStrategy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A judged group and its scores as the Avro GroupRewardResult. */
final class GroupResults {

  private GroupResults() {}

  static GroupRewardResult of(
      BufferedGroup buffered,
      GroupScores scores,
      GroupStrategy strategy,
      JudgeInfo judge,
      boolean includeAnalysis,
      long scoredAtMs) {
    List<Comparison> judged = buffered.judged();
    boolean allFailed = judged.stream().noneMatch(Comparison::ok);
    List<ResponseReward> responses = new ArrayList<>();
    for (int k = 0; k < buffered.size(); k++) {
      GroupScores.ResponseScore s = scores.responses().get(k);
      responses.add(
          ResponseReward.newBuilder()
              .setResponseId(buffered.group().getResponses().get(k).getResponseId())
              .setReward(s.reward())
              .setScore(s.score())
              .setRank(s.rank())
              .setWins(s.wins())
              .setLosses(s.losses())
              .setTies(s.ties())
              .setFailed(s.failed())
              .build());
    }
    return GroupRewardResult.newBuilder()
        .setGroupId(buffered.group().getGroupId())
        .setStatus(allFailed ? GroupStatus.FAILED : GroupStatus.OK)
        .setFailureReason(
            allFailed
                ? "all "
                    + judged.size()
                    + " comparisons failed; the first: "
                    + judged.get(0).failureReason()
                : null)
        .setStrategy(strategy.id())
        .setResponses(responses)
        .setComparisons(judged.stream().map(c -> comparison(c, includeAnalysis)).toList())
        .setComparisonCount(judged.size())
        .setGenerations(judged.stream().mapToInt(Comparison::generations).sum())
        .setTokensUsed(judged.stream().mapToLong(Comparison::tokens).sum())
        .setMode(judge.mode())
        .setJudgeId(judge.id())
        .setJudgeVersion(judge.version())
        .setModelHash(judge.modelHash())
        .setSeed(buffered.seed())
        .setLatencyMs(scoredAtMs - buffered.arrivalMs())
        .setScoredAt(Instant.ofEpochMilli(scoredAtMs))
        .setPolicyVersion(buffered.group().getPolicyVersion())
        .setProducedAt(buffered.group().getProducedAt())
        .setSourceTopic(buffered.sourceTopic())
        .setSourcePartition(buffered.sourcePartition())
        .setSourceOffset(buffered.sourceOffset())
        .build();
  }

  private static GroupComparison comparison(Comparison c, boolean includeAnalysis) {
    return GroupComparison.newBuilder()
        .setI(c.match().i())
        .setJ(c.match().j())
        .setRound(c.match().round())
        .setPreferred(
            c.preferred() == null
                ? ComparisonOutcome.FAILED
                : ComparisonOutcome.valueOf(c.preferred().name()))
        .setPABetter(c.pABetter())
        .setPositionConsistency(c.positionConsistency())
        .setChosenAnalysis(includeAnalysis && c.ok() ? c.analysis() : null)
        .setFailureReason(c.failureReason())
        .build();
  }
}
