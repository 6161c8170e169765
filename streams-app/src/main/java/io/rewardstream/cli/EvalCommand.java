package io.rewardstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rewardstream.eval.EvalGroup;
import io.rewardstream.eval.EvalPair;
import io.rewardstream.eval.EvalRunner;
import io.rewardstream.eval.GroupEvalReport;
import io.rewardstream.judge.ReflectiveJudge;
import io.rewardstream.judge.Verdict;
import io.rewardstream.judge.group.GroupRanker;
import io.rewardstream.judge.group.GroupStrategy;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rewardstream eval}: judge quality on a RewardBench-shaped file, in both orders. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = {
      "Judges every pair of a RewardBench-shaped JSONL file (id, prompt, chosen, rejected,"
          + " subset) in both orders and prints, per subset and overall: accuracy (order as"
          + " given), both-order strict accuracy, position consistency, tie and abstain rates,"
          + " single-judgment accuracy, generations and tokens per scoring, pairs/s.",
      "With --groups the file holds rollout groups with right and wrong responses (id, prompt,"
          + " subset, responses: [{response_id, text, correct}]); each strategy ranks them and"
          + " the report gives top-1 and pairwise ordering accuracy, comparisons and generations"
          + " per group, groups/s.",
      "Examples: ./rewardstream eval --data models/judge-tiny/heldout.jsonl --mode reflect",
      "          ./rewardstream eval --groups --data models/judge-tiny/heldout-groups8.jsonl"
          + " --mode greedy"
    })
final class EvalCommand implements Callable<Integer> {

  @Option(names = "--data", required = true, paramLabel = "FILE", description = "JSONL input.")
  Path data;

  @Option(
      names = "--limit",
      paramLabel = "K",
      description = "Judge only the first K pairs (default: all).",
      defaultValue = "0")
  int limit;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      description = "Pairs per judge call (default: ${DEFAULT-VALUE}).",
      defaultValue = "8")
  int batchSize;

  @Option(names = "--out", paramLabel = "FILE", description = "Write per-pair verdicts as JSONL.")
  Path out;

  @Option(
      names = "--groups",
      description = "The file holds rollout groups: evaluate group ranking instead of pairs.")
  boolean groups;

  @Option(
      names = "--strategy",
      paramLabel = "NAME",
      split = ",",
      description =
          "With --groups: round-robin, anchor, swiss, or several separated by commas (default:"
              + " all three).")
  List<String> strategies;

  @Mixin JudgeMixin judge;

  @Spec private CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (batchSize < 1) {
      throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
    }
    if (groups) {
      return evalGroups();
    }
    if (strategies != null) {
      throw new IllegalArgumentException("--strategy needs --groups");
    }
    List<EvalPair> pairs = EvalPair.readJsonl(data, limit);
    ProgressBar bar = new ProgressBar(System.err, "pairs");
    ObjectMapper json = new ObjectMapper();
    try (ReflectiveJudge j = judge.open();
        BufferedWriter writer =
            out == null ? null : Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      spec.commandLine()
          .getErr()
          .printf(
              "judging %d pairs from %s with %s %s: %s%n",
              pairs.size(), data, j.info().id(), j.info().version(), j.settings().describe());
      EvalRunner.Report report =
          EvalRunner.run(
              j,
              pairs,
              batchSize,
              bar::update,
              (pair, asGiven, swapped) -> write(writer, json, pair, asGiven, swapped));
      spec.commandLine().getOut().print(report.format(j.info().mode()));
      spec.commandLine().getOut().flush();
    }
    return 0;
  }

  private int evalGroups() {
    if (out != null) {
      throw new IllegalArgumentException(
          "--out is for pairs; with --groups only the table is printed");
    }
    List<GroupStrategy> chosen =
        strategies == null
            ? List.of(GroupStrategy.values())
            : strategies.stream().map(GroupStrategy::parse).toList();
    List<EvalGroup> truth = EvalGroup.readJsonl(data, limit);
    List<GroupRanker.GroupInput> inputs = truth.stream().map(EvalGroup::input).toList();
    try (ReflectiveJudge j = judge.open()) {
      spec.commandLine()
          .getErr()
          .printf(
              "ranking %d groups from %s with %s %s: %s%n",
              truth.size(), data, j.info().id(), j.info().version(), j.settings().describe());
      StringBuilder table = new StringBuilder(GroupEvalReport.header());
      for (GroupStrategy strategy : chosen) {
        ProgressBar bar = new ProgressBar(System.err, strategy.id() + " groups");
        long start = System.nanoTime();
        List<GroupRanker.Ranked> ranked =
            GroupRanker.rank(
                j, strategy, inputs, batchSize, done -> bar.update(done, truth.size()));
        double seconds = (System.nanoTime() - start) / 1e9;
        table.append(GroupEvalReport.of(strategy, truth, ranked, seconds).row());
      }
      spec.commandLine().getOut().print(table);
      spec.commandLine().getOut().flush();
    }
    return 0;
  }

  private static void write(
      BufferedWriter writer, ObjectMapper json, EvalPair pair, Verdict asGiven, Verdict swapped) {
    if (writer == null) {
      return;
    }
    ObjectNode row = json.createObjectNode();
    row.put("id", pair.id()).put("subset", pair.subset());
    row.set("as_given", summary(json, asGiven));
    row.set("swapped", summary(json, swapped));
    try {
      writer.write(json.writeValueAsString(row));
      writer.newLine();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write --out", e);
    }
  }

  private static ObjectNode summary(ObjectMapper json, Verdict v) {
    ObjectNode node = json.createObjectNode();
    node.put("preferred", v.preferred().name()).put("p_a_better", v.pABetter());
    node.put("chosen_analysis", v.chosenAnalysis()).put("generations", v.generations());
    node.putPOJO(
        "candidates", v.candidates().stream().map(c -> c.order() + ":" + c.verdict()).toList());
    if (v.failureReason() != null) {
      node.put("failure", v.failureReason());
    }
    return node;
  }
}
