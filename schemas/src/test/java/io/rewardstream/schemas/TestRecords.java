package io.rewardstream.schemas;

import io.rewardstream.avro.CandidateVerdict;
import io.rewardstream.avro.ChatMessage;
import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.DriftAlert;
import io.rewardstream.avro.DriftStatistic;
import io.rewardstream.avro.JudgmentCandidate;
import io.rewardstream.avro.Preference;
import io.rewardstream.avro.ResponseOrder;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RewardWindowStats;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.avro.ScoreStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Fully populated example records shared by the tests. */
final class TestRecords {

  static final Instant T0 = Instant.parse("2026-11-21T12:00:00.123Z");

  private TestRecords() {}

  static RolloutPair rolloutPair() {
    return RolloutPair.newBuilder()
        .setRolloutId("r-0001")
        .setPrompt("What is 2 + 2? Answer in one word. ✓ 答え")
        .setResponseA("Four.")
        .setResponseB("Five.")
        .setPolicyVersion("policy-v7")
        .setProducedAt(T0)
        .setMessages(
            List.of(
                new ChatMessage("system", "Be brief."),
                new ChatMessage("user", "What is 2 + 2? Answer in one word. ✓ 答え")))
        .setGroupId("grpo-42")
        .setReferenceAnswer("Four")
        .setMetadata(Map.of("dataset", "gsm8k", "temperature", "1.0"))
        .build();
  }

  /** Only the required fields: every nullable field unset, the map empty. */
  static RolloutPair minimalRolloutPair() {
    return RolloutPair.newBuilder()
        .setRolloutId("r-0002")
        .setPrompt("p")
        .setResponseA("")
        .setResponseB("b")
        .setPolicyVersion("policy-v7")
        .setProducedAt(T0)
        .build();
  }

  static RewardResult rewardResult() {
    return RewardResult.newBuilder()
        .setRolloutId("r-0001")
        .setStatus(ScoreStatus.OK)
        .setFailureReason(null)
        .setPreferred(Preference.A)
        .setPABetter(0.8125)
        .setRewardA(0.625)
        .setRewardB(-0.625)
        .setChosenAnalysis("<Analysis>Response 1 is correct.</Analysis>")
        .setChosenIndex(1)
        .setCandidates(
            List.of(
                candidate(0, ResponseOrder.AB, CandidateVerdict.A, true, null, "anchor text"),
                candidate(1, ResponseOrder.BA, CandidateVerdict.A, false, true, "won"),
                candidate(2, ResponseOrder.AB, CandidateVerdict.ABSTAIN, false, false, null)))
        .setPositionConsistency(0.75)
        .setMode("reflect")
        .setJudgeId("tiny-judge")
        .setJudgeVersion("1.2.0")
        .setModelHash("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
        .setSeed(-4_611_686_018_427_387_904L)
        .setGenerations(15)
        .setTokensUsed(12_345L)
        .setLatencyMs(321L)
        .setScoredAt(T0.plusSeconds(2))
        .setPolicyVersion("policy-v7")
        .setProducedAt(T0)
        .setGroupId("grpo-42")
        .setSourceTopic("rollouts")
        .setSourcePartition(3)
        .setSourceOffset(1_000_000_000_000L)
        .build();
  }

  static JudgmentCandidate candidate(
      int index,
      ResponseOrder order,
      CandidateVerdict verdict,
      boolean anchor,
      Boolean wonReflection,
      String text) {
    return JudgmentCandidate.newBuilder()
        .setIndex(index)
        .setOrder(order)
        .setVerdict(verdict)
        .setConfidence(-0.25 * (index + 1))
        .setAnchor(anchor)
        .setWonReflection(wonReflection)
        .setTokens(40 + index)
        .setText(text)
        .build();
  }

  static DeadLetter deadLetter() {
    return DeadLetter.newBuilder()
        .setReasonCode(DeadLetterReason.UNDECODABLE)
        .setReason("NOT_SINGLE_OBJECT: cannot decode RolloutPair")
        .setRolloutId("r-0001")
        .setPolicyVersion("policy-v7")
        .setSourceTopic("rollouts")
        .setSourcePartition(0)
        .setSourceOffset(42L)
        .setOriginalKey(ByteBuffer.wrap("r-0001".getBytes(StandardCharsets.UTF_8)))
        .setOriginalValue(ByteBuffer.wrap(new byte[] {0, 1, 2, (byte) 0xFF}))
        .setFailedAt(T0.plusMillis(5))
        .setProducedAt(T0)
        .build();
  }

  static DeadLetter minimalDeadLetter() {
    return DeadLetter.newBuilder()
        .setReasonCode(DeadLetterReason.OTHER)
        .setReason("unknown")
        .setSourceTopic("rollouts")
        .setSourcePartition(-1)
        .setSourceOffset(-1L)
        .setFailedAt(T0)
        .build();
  }

  static RewardWindowStats rewardWindowStats() {
    return RewardWindowStats.newBuilder()
        .setPolicyVersion("policy-v7")
        .setJudgeId("tiny-judge")
        .setJudgeVersion("1.2.0")
        .setWindowStart(T0)
        .setWindowEnd(T0.plusSeconds(60))
        .setCount(128L)
        .setMeanRewardMargin(0.125)
        .setStdRewardMargin(0.5)
        .setMeanPABetter(0.5625)
        .setStdPABetter(0.25)
        .setPABetterHistogram(List.of(1L, 2L, 3L, 0L, 122L))
        .setTieRate(0.0625)
        .setAbstainRate(0.03125)
        .setFailedRate(0.0)
        .setPositionConsistencyRate(0.875)
        .setMeanAnalysisLength(211.5)
        .setMeanLatencyMs(33.25)
        .setProducedAt(T0.plusSeconds(61))
        .build();
  }

  static DriftAlert driftAlert() {
    return DriftAlert.newBuilder()
        .setAlertId("alert-7")
        .setPolicyVersion("policy-v7")
        .setJudgeVersion("1.2.0")
        .setStatistic(DriftStatistic.PSI)
        .setValue(0.31)
        .setThreshold(0.2)
        .setReferenceStart(T0.minusSeconds(3600))
        .setReferenceEnd(T0)
        .setWindowStart(T0)
        .setWindowEnd(T0.plusSeconds(60))
        .setMessage("PSI 0.31 > 0.2 for policy-v7 / judge 1.2.0")
        .setRaisedAt(T0.plusSeconds(61))
        .build();
  }
}
