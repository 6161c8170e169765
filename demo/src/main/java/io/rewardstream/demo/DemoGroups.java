package io.rewardstream.demo;

import io.rewardstream.avro.GroupResponse;
import io.rewardstream.avro.GroupRewardResult;
import io.rewardstream.avro.GroupStatus;
import io.rewardstream.avro.ResponseReward;
import io.rewardstream.avro.RolloutGroup;
import io.rewardstream.eval.EvalGroup;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code demo --groups}: 8 rollout groups of 6 responses from the bundled judge's held-out group
 * set (each with 2 right responses and 4 wrong in different ways, or as many right as the group
 * has), scored by the pipeline as groups, and a ranking table per group as its result is committed.
 */
final class DemoGroups {

  static final int GROUPS = 8;
  static final int SIZE = 6;
  static final int RIGHT = 2;

  private final PrintWriter out;
  private final Map<String, EvalGroup> truth = new LinkedHashMap<>();
  private final Map<String, GroupRewardResult> results = new HashMap<>();

  DemoGroups(PrintWriter out, List<EvalGroup> sample) {
    this.out = out;
    sample.forEach(g -> truth.put(g.id(), g));
  }

  /**
   * The sample: the first {@link #GROUPS} groups of the held-out file next to the judge (N = 8),
   * each cut to {@link #SIZE} responses, keeping up to {@link #RIGHT} right ones, in their order.
   */
  static List<EvalGroup> sample(Path judgeDir, String idPrefix) {
    Path file = judgeDir.resolve("heldout-groups8.jsonl");
    if (!java.nio.file.Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "demo --groups sends the held-out groups that come with the judge, and "
              + file
              + " does not exist; use the bundled judge (no --judge-dir) or put a"
              + " heldout-groups8.jsonl (eval --groups format) next to your model");
    }
    List<EvalGroup> sample = new ArrayList<>();
    for (EvalGroup g : EvalGroup.readJsonl(file, GROUPS)) {
      List<String> texts = new ArrayList<>();
      List<Boolean> correct = new ArrayList<>();
      int right = 0;
      int wrong = 0;
      for (int i = 0; i < g.texts().size() && texts.size() < SIZE; i++) {
        boolean ok = g.correct().get(i);
        if (ok ? right < RIGHT : wrong < SIZE - RIGHT) {
          texts.add(g.texts().get(i));
          correct.add(ok);
          right += ok ? 1 : 0;
          wrong += ok ? 0 : 1;
        }
      }
      sample.add(new EvalGroup(idPrefix + g.id(), g.prompt(), g.subset(), texts, correct));
    }
    return sample;
  }

  /** The Avro record sent for a sample group (response ids r0, r1, ... in order). */
  static RolloutGroup record(EvalGroup g) {
    List<GroupResponse> responses = new ArrayList<>();
    for (int i = 0; i < g.texts().size(); i++) {
      responses.add(new GroupResponse("r" + i, g.texts().get(i)));
    }
    return RolloutGroup.newBuilder()
        .setGroupId(g.id())
        .setPrompt(g.prompt())
        .setResponses(responses)
        .setPolicyVersion("demo")
        .setProducedAt(Instant.now())
        .build();
  }

  /** Prints a result's ranking if it is one of the sample's; returns whether it was. */
  boolean accept(Object record) {
    if (!(record instanceof GroupRewardResult result) || !truth.containsKey(result.getGroupId())) {
      return false;
    }
    if (results.putIfAbsent(result.getGroupId(), result) != null) {
      return false;
    }
    EvalGroup g = truth.get(result.getGroupId());
    out.printf(
        "%n%s (%s, %s, %d comparisons): %s%n",
        g.id(), g.subset(), result.getStatus(), result.getComparisonCount(), g.prompt());
    out.printf("  rank  reward  right  response%n");
    List<ResponseReward> ranked = new ArrayList<>(result.getResponses());
    ranked.sort(Comparator.comparingInt(ResponseReward::getRank));
    for (ResponseReward r : ranked) {
      int i = Integer.parseInt(r.getResponseId().substring(1));
      out.printf(
          Locale.ROOT,
          "  %4d  %+6.2f  %-5s  %s%n",
          r.getRank(),
          r.getReward(),
          g.correct().get(i) ? "yes" : "no",
          g.texts().get(i));
    }
    out.flush();
    return true;
  }

  boolean complete() {
    return results.size() == truth.size();
  }

  /**
   * Prints top-1 accuracy (only right responses at rank 1), pairwise ordering accuracy (right above
   * wrong; a tie counts half), comparisons per group and groups/s.
   *
   * @return whether every group got an OK result
   */
  boolean printSummary(double seconds, String mode, String strategy) {
    int top1 = 0;
    double ordered = 0;
    int pairs = 0;
    int comparisons = 0;
    int ok = 0;
    for (Map.Entry<String, GroupRewardResult> e : results.entrySet()) {
      GroupRewardResult result = e.getValue();
      if (result.getStatus() != GroupStatus.OK) {
        continue;
      }
      ok++;
      EvalGroup g = truth.get(e.getKey());
      double[] reward = new double[g.texts().size()];
      boolean firstAllRight = true; // every response sharing rank 1 is a right one
      for (ResponseReward r : result.getResponses()) {
        int i = Integer.parseInt(r.getResponseId().substring(1));
        reward[i] = r.getReward();
        if (r.getRank() == 1 && !g.correct().get(i)) {
          firstAllRight = false;
        }
      }
      top1 += firstAllRight ? 1 : 0;
      comparisons += result.getComparisonCount();
      for (int i = 0; i < reward.length; i++) {
        for (int j = 0; j < reward.length; j++) {
          if (g.correct().get(i) && !g.correct().get(j)) {
            pairs++;
            ordered += reward[i] > reward[j] ? 1 : reward[i] == reward[j] ? 0.5 : 0;
          }
        }
      }
    }
    out.printf(
        Locale.ROOT,
        "%nRanked %d of %d groups of %d (%s mode, %s): only right responses first in %d of %d;"
            + " right"
            + " above wrong in %.1f %% of %d pairs; %.1f comparisons a group; %.1f s (%.2f"
            + " groups/s).%n",
        ok,
        truth.size(),
        SIZE,
        mode,
        strategy,
        top1,
        ok,
        pairs == 0 ? 0.0 : 100.0 * ordered / pairs,
        pairs,
        ok == 0 ? 0.0 : (double) comparisons / ok,
        seconds,
        seconds > 0 ? results.size() / seconds : 0.0);
    out.flush();
    return ok == truth.size();
  }
}
