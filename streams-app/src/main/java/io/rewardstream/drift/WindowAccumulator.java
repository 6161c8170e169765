package io.rewardstream.drift;

import io.rewardstream.avro.CandidateVerdict;
import io.rewardstream.avro.JudgmentCandidate;
import io.rewardstream.avro.Preference;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RewardWindowStats;
import io.rewardstream.avro.ScoreStatus;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * The running statistics of one window of one (policy_version, judge_version): what the windowed
 * aggregate keeps per window in its store, serialized as JSON (see {@link #serde()}).
 *
 * <p>What counts where, so that nothing is dropped silently:
 *
 * <ul>
 *   <li>every result counts in {@code count}, its latency in the mean latency, and its candidates
 *       in the abstain rate;
 *   <li>a FAILED result also counts in {@code failed};
 *   <li>an OK result with finite p_a_better and rewards is <em>scored</em>: it enters the margin
 *       and p_a_better moments, the histogram, the tie rate, the analysis length and (when it has
 *       one) the position-consistency mean. The histogram's total is the number of scored results.
 *       An OK result with a non-finite score counts in {@code count} only (an upstream bug, which
 *       then shows as {@code count} above histogram total plus failures).
 * </ul>
 *
 * <p>Mutable on purpose: the aggregator updates the instance it was given and returns it, as Kafka
 * Streams allows, instead of copying a histogram per record.
 */
final class WindowAccumulator {

  private String policyVersion = "";
  private String judgeId = "";
  private String judgeVersion = "";
  private long count;
  private long failed;
  private long ties;
  private long candidates;
  private long abstains;
  private Moments margin = Moments.EMPTY;
  private Moments pABetter = Moments.EMPTY;
  private long[] histogram;
  private long consistencyCount;
  private double consistencySum;
  private long analysisChars;
  private long latencyMsSum;

  /** For Jackson. */
  private WindowAccumulator() {}

  /** An empty window with {@code bins} histogram bins. */
  static WindowAccumulator empty(int bins) {
    WindowAccumulator acc = new WindowAccumulator();
    acc.histogram = new long[bins];
    return acc;
  }

  /** The store's value serde. */
  static JsonSerde<WindowAccumulator> serde() {
    return new JsonSerde<>(WindowAccumulator.class);
  }

  /** Adds one result and returns this accumulator. */
  WindowAccumulator add(RewardResult result) {
    policyVersion = result.getPolicyVersion();
    judgeId = result.getJudgeId();
    judgeVersion = result.getJudgeVersion();
    count++;
    latencyMsSum += result.getLatencyMs();
    if (result.getCandidates() != null) {
      addCandidates(result.getCandidates());
    }
    if (result.getStatus() == ScoreStatus.FAILED) {
      failed++;
      return this;
    }
    double p = result.getPABetter();
    double m = result.getRewardA() - result.getRewardB();
    if (!Double.isFinite(p) || !Double.isFinite(m)) {
      return this;
    }
    margin = margin.plus(m);
    pABetter = pABetter.plus(p);
    histogram[DriftMath.binOf(p, histogram.length)]++;
    if (result.getPreferred() == Preference.TIE) {
      ties++;
    }
    String analysis = result.getChosenAnalysis();
    analysisChars += analysis == null ? 0 : analysis.length();
    Double consistency = result.getPositionConsistency();
    if (consistency != null && Double.isFinite(consistency)) {
      consistencyCount++;
      consistencySum += consistency;
    }
    return this;
  }

  private void addCandidates(List<JudgmentCandidate> list) {
    for (JudgmentCandidate candidate : list) {
      candidates++;
      if (candidate.getVerdict() == CandidateVerdict.ABSTAIN) {
        abstains++;
      }
    }
  }

  /**
   * The window's statistics. Rates and means whose denominator is 0 are NaN ("no data"), as is the
   * standard deviation of fewer than two values.
   */
  RewardWindowStats toStats(long windowStartMs, long windowEndMs, long producedAtMs) {
    long scored = margin.n();
    return RewardWindowStats.newBuilder()
        .setPolicyVersion(policyVersion)
        .setJudgeId(judgeId)
        .setJudgeVersion(judgeVersion)
        .setWindowStart(Instant.ofEpochMilli(windowStartMs))
        .setWindowEnd(Instant.ofEpochMilli(windowEndMs))
        .setCount(count)
        .setMeanRewardMargin(margin.meanOrNaN())
        .setStdRewardMargin(margin.std())
        .setMeanPABetter(pABetter.meanOrNaN())
        .setStdPABetter(pABetter.std())
        .setPABetterHistogram(Arrays.stream(histogram).boxed().toList())
        .setTieRate(ratio(ties, scored))
        .setAbstainRate(ratio(abstains, candidates))
        .setFailedRate(ratio(failed, count))
        .setPositionConsistencyRate(
            consistencyCount == 0 ? Double.NaN : consistencySum / consistencyCount)
        .setMeanAnalysisLength(ratio(analysisChars, scored))
        .setMeanLatencyMs(ratio(latencyMsSum, count))
        .setProducedAt(Instant.ofEpochMilli(producedAtMs))
        .build();
  }

  private static double ratio(double numerator, long denominator) {
    return denominator == 0 ? Double.NaN : numerator / denominator;
  }
}
