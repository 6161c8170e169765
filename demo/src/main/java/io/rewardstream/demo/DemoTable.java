package io.rewardstream.demo;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.ScoreStatus;
import io.rewardstream.cli.RecordLines;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The demo's live output: one row per reward or dead letter as it is committed, then a summary.
 * Rows for records this run did not send (an earlier run on a shared cluster) are skipped.
 */
final class DemoTable {

  private static final String ROW = "%-22s %-7s %-5s %-3s %10s %9s %8s  %s%n";

  private final PrintWriter out;
  private final DemoSample sample;
  private final Set<String> keys;
  private final Set<String> scoredIds = new HashSet<>();
  private final Map<DeadLetterReason, Integer> deadLetters = new EnumMap<>(DeadLetterReason.class);
  private final List<Long> latencies = new ArrayList<>();
  private int failed;
  private int correct;
  private int ties;
  private int doubled;

  DemoTable(PrintWriter out, DemoSample sample) {
    this.out = out;
    this.sample = sample;
    this.keys = sample.keys();
  }

  void printHeader() {
    out.printf(
        ROW, "rollout", "verdict", "truth", "ok", "p_a_better", "reward_a", "latency", "analysis");
    out.println("-".repeat(124));
    out.flush();
  }

  /** Shows one decoded record from the rewards or dead-letter topic. */
  void accept(Object record) {
    if (record instanceof RewardResult result
        && sample.truth().containsKey(result.getRolloutId())) {
      reward(result);
    } else if (record instanceof DeadLetter letter && keys.contains(idOf(letter))) {
      deadLetter(letter);
    }
    out.flush();
  }

  private void reward(RewardResult r) {
    // A second result for a rollout would break exactly-once: shown and reported, not counted.
    boolean first = scoredIds.add(r.getRolloutId());
    doubled += first ? 0 : 1;
    String truth = sample.truth().get(r.getRolloutId());
    boolean ok = r.getStatus() == ScoreStatus.OK;
    boolean right = ok && r.getPreferred().name().equals(truth);
    if (first) {
      failed += ok ? 0 : 1;
      correct += right ? 1 : 0;
      ties += ok && r.getPreferred().name().equals("TIE") ? 1 : 0;
      latencies.add(r.getLatencyMs());
    }
    String text = ok ? r.getChosenAnalysis() : "FAILED: " + r.getFailureReason();
    out.printf(
        Locale.ROOT,
        ROW,
        r.getRolloutId(),
        ok ? r.getPreferred() : "FAILED",
        truth,
        right ? "✓" : "✗",
        String.format(Locale.ROOT, "%.3f", r.getPABetter()),
        String.format(Locale.ROOT, "%+.3f", r.getRewardA()),
        r.getLatencyMs() + " ms",
        RecordLines.excerpt(text, 52));
  }

  private void deadLetter(DeadLetter d) {
    deadLetters.merge(d.getReasonCode(), 1, Integer::sum);
    out.printf(
        Locale.ROOT,
        "%-22s %-7s %-17s  %s%n",
        idOf(d),
        "DLQ",
        d.getReasonCode(),
        RecordLines.excerpt(d.getReason(), 76));
  }

  /** The rollout id, or for a record that never decoded, its original key. */
  private static String idOf(DeadLetter d) {
    if (d.getRolloutId() != null) {
      return d.getRolloutId();
    }
    ByteBuffer key = d.getOriginalKey();
    if (key == null) {
      return "(no key)";
    }
    ByteBuffer copy = key.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Whether every expected output arrived: a result per good pair, a dead letter per bad one. */
  boolean complete() {
    int dead = deadLetters.values().stream().mapToInt(Integer::intValue).sum();
    return scoredIds.size() >= sample.truth().size() && dead >= sample.expectedDeadLetters().size();
  }

  /**
   * Prints the closing summary.
   *
   * @param seconds from the first record sent to the last output committed
   * @return true when everything expected arrived, once, with the expected reasons
   */
  boolean printSummary(double seconds, String mode, int batchSize) {
    int scored = scoredIds.size();
    int dead = deadLetters.values().stream().mapToInt(Integer::intValue).sum();
    out.println("-".repeat(124));
    out.printf(
        Locale.ROOT,
        "scored %d of %d pairs (%d OK, %d FAILED), %d dead-lettered, in %.1f s%n",
        scored,
        sample.truth().size(),
        scored - failed,
        failed,
        dead,
        seconds);
    out.printf(
        Locale.ROOT,
        "accuracy on the sample: %d/%d = %.1f%% (ties %d); the sample knows the better response%n",
        correct,
        scored,
        scored == 0 ? 0.0 : 100.0 * correct / scored,
        ties);
    out.printf(
        Locale.ROOT,
        "throughput: %.2f pairs/s end to end (first record sent to last result committed),"
            + " median latency %d ms; judge mode %s, batches of %d%n",
        seconds > 0 ? scored / seconds : 0.0,
        median(latencies),
        mode,
        batchSize);
    return checkDeadLetters() && doubled == 0 && scored == sample.truth().size();
  }

  private boolean checkDeadLetters() {
    Map<DeadLetterReason, Integer> expected = new TreeMap<>();
    sample.expectedDeadLetters().forEach(r -> expected.merge(r, 1, Integer::sum));
    Map<DeadLetterReason, Integer> got = new TreeMap<>(deadLetters);
    out.println("dead letters by reason: " + got + (got.equals(expected) ? " (as expected)" : ""));
    if (!got.equals(expected)) {
      out.println("  EXPECTED " + expected);
    }
    if (doubled > 0) {
      out.println("  " + doubled + " rollouts got more than one result: exactly-once is broken");
    }
    return got.equals(expected);
  }

  private static long median(List<Long> values) {
    if (values.isEmpty()) {
      return 0;
    }
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get(sorted.size() / 2);
  }
}
