package io.rewardstream.replay;

import io.rewardstream.avro.Preference;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.ScoreStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Baseline and candidate results joined by rollout_id: agreement, verdict flips, reward deltas,
 * overall and per policy_version. Kafka-free; {@link CommittedReader} loads the topics.
 *
 * <p>Pairs where either side has status FAILED are joined but not compared (a failure is not a
 * verdict: counting FAILED as a TIE would report judge errors as flips); they are counted in {@link
 * #failedExcluded}. Δ reward_a is candidate minus baseline; reward_a is in [-0.5, 0.5], so Δ is in
 * [-1, 1].
 *
 * @param baselineTopic name of the baseline topic
 * @param candidateTopic name of the candidate topic
 * @param baselineJudges "id version mode" of the judges in the baseline
 * @param candidateJudges the same for the candidate
 * @param baselineCount distinct rollout ids in the baseline
 * @param candidateCount distinct rollout ids in the candidate
 * @param onlyBaseline ids missing from the candidate
 * @param onlyCandidate ids missing from the baseline
 * @param failedExcluded joined ids with a FAILED result on either side
 * @param overall the compared pairs' statistics
 * @param perPolicy statistics per policy_version (of the baseline result), sorted by name
 * @param histogram counts of Δ reward_a per {@link #BINS} bin, centred on multiples of 1/8
 */
public record Comparison(
    String baselineTopic,
    String candidateTopic,
    Set<String> baselineJudges,
    Set<String> candidateJudges,
    long baselineCount,
    long candidateCount,
    long onlyBaseline,
    long onlyCandidate,
    long failedExcluded,
    Stats overall,
    Map<String, Stats> perPolicy,
    long[] histogram) {

  /** Verdict transitions that are flips, in report order. */
  public static final List<String> FLIPS =
      List.of("A->B", "B->A", "A->TIE", "B->TIE", "TIE->A", "TIE->B");

  /**
   * Δ reward_a histogram: 17 bins of width 1/8 centred on -1, -7/8, ..., 1. Eighths because the
   * judge's rewards are vote shares minus 0.5: with up to 8 samples (or greedy's two orders) every
   * Δ is a multiple of 1/8 and falls in the middle of a bin, never on an edge.
   */
  public static final int BINS = 17;

  public static final double BIN_WIDTH = 0.125;

  /** Lower edge of bin {@code i}. */
  public static double binLow(int i) {
    return -1.0 - BIN_WIDTH / 2 + i * BIN_WIDTH;
  }

  /** The bin of a delta, clamped into the histogram. */
  public static int bin(double delta) {
    int i = (int) Math.floor((delta + 1.0 + BIN_WIDTH / 2) / BIN_WIDTH + 1e-9);
    return Math.max(0, Math.min(BINS - 1, i));
  }

  /**
   * Statistics of a set of compared pairs.
   *
   * @param compared pairs with OK results on both sides
   * @param agreed pairs with the same preferred response
   * @param flips count per {@link #FLIPS} entry (all present, zeros included)
   * @param sumAbsDelta sum of |Δ reward_a|
   * @param maxAbsDelta largest |Δ reward_a|
   * @param identicalRewards pairs whose reward_a and reward_b are exactly equal
   */
  public record Stats(
      long compared,
      long agreed,
      Map<String, Long> flips,
      double sumAbsDelta,
      double maxAbsDelta,
      long identicalRewards) {

    /** Agreed / compared; NaN when nothing was compared. */
    public double agreementRate() {
      return compared == 0 ? Double.NaN : (double) agreed / compared;
    }

    /** Mean |Δ reward_a|; NaN when nothing was compared. */
    public double meanAbsDelta() {
      return compared == 0 ? Double.NaN : sumAbsDelta / compared;
    }

    public long flipTotal() {
      return flips.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Joins the two sides (rollout_id -> its result) and computes every statistic. */
  public static Comparison of(
      String baselineTopic,
      Map<String, RewardResult> baseline,
      String candidateTopic,
      Map<String, RewardResult> candidate) {
    Accumulator overall = new Accumulator();
    Map<String, Accumulator> perPolicy = new TreeMap<>();
    long[] histogram = new long[BINS];
    long onlyBaseline = 0;
    long failed = 0;
    for (Map.Entry<String, RewardResult> e : baseline.entrySet()) {
      RewardResult b = e.getValue();
      RewardResult c = candidate.get(e.getKey());
      if (c == null) {
        onlyBaseline++;
      } else if (b.getStatus() == ScoreStatus.FAILED || c.getStatus() == ScoreStatus.FAILED) {
        failed++;
      } else {
        double delta = c.getRewardA() - b.getRewardA();
        overall.add(b, c, delta);
        perPolicy.computeIfAbsent(policy(b), k -> new Accumulator()).add(b, c, delta);
        histogram[bin(delta)]++;
      }
    }
    long onlyCandidate = candidate.keySet().stream().filter(k -> !baseline.containsKey(k)).count();
    Map<String, Stats> policies = new LinkedHashMap<>();
    perPolicy.forEach((k, v) -> policies.put(k, v.stats()));
    return new Comparison(
        baselineTopic,
        candidateTopic,
        judges(baseline),
        judges(candidate),
        baseline.size(),
        candidate.size(),
        onlyBaseline,
        onlyCandidate,
        failed,
        overall.stats(),
        Collections.unmodifiableMap(policies),
        histogram);
  }

  /** The flip between two verdicts, or null when they agree. */
  public static String flip(Preference baseline, Preference candidate) {
    return baseline == candidate ? null : baseline.name() + "->" + candidate.name();
  }

  /** Joined ids (present on both sides). */
  public long joined() {
    return baselineCount - onlyBaseline;
  }

  private static String policy(RewardResult r) {
    String p = r.getPolicyVersion();
    return p == null || p.isEmpty() ? "(none)" : p;
  }

  private static Set<String> judges(Map<String, RewardResult> results) {
    Set<String> judges = new TreeSet<>();
    for (RewardResult r : results.values()) {
      judges.add(r.getJudgeId() + " " + r.getJudgeVersion() + " " + r.getMode());
    }
    return Collections.unmodifiableSet(judges);
  }

  private static final class Accumulator {
    long compared;
    long agreed;
    final Map<String, Long> flips = new LinkedHashMap<>();
    double sumAbs;
    double maxAbs;
    long identical;

    Accumulator() {
      FLIPS.forEach(f -> flips.put(f, 0L));
    }

    void add(RewardResult b, RewardResult c, double delta) {
      compared++;
      String flip = flip(b.getPreferred(), c.getPreferred());
      if (flip == null) {
        agreed++;
      } else {
        flips.merge(flip, 1L, Long::sum);
      }
      sumAbs += Math.abs(delta);
      maxAbs = Math.max(maxAbs, Math.abs(delta));
      if (b.getRewardA() == c.getRewardA() && b.getRewardB() == c.getRewardB()) {
        identical++;
      }
    }

    Stats stats() {
      return new Stats(
          compared,
          agreed,
          Collections.unmodifiableMap(new LinkedHashMap<>(flips)),
          sumAbs,
          maxAbs,
          identical);
    }
  }

  /** Policy versions sorted by name, for tables and plots. */
  public List<String> policies() {
    return new ArrayList<>(perPolicy.keySet());
  }
}
