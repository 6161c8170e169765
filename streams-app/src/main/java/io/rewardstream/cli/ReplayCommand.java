package io.rewardstream.cli;

import io.rewardstream.inference.LanguageModel;
import io.rewardstream.judge.ReflectiveJudge;
import io.rewardstream.replay.RangeBound;
import io.rewardstream.replay.ReplayException;
import io.rewardstream.replay.ReplayScorer;
import io.rewardstream.replay.Replayer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rewardstream replay}: re-score a bounded range of rollouts with a (new) judge. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Reads a bounded range of the input topic, scores it with the given judge in batches and"
          + " writes RewardResults keyed by rollout_id to the output topic, then stops. Each batch"
          + " is one transaction; rollout ids the output already holds are skipped, so a rerun"
          + " (after a crash or by mistake) adds nothing a read_committed consumer sees twice.",
      "Bounds: beginning | end | ISO-8601 instant | offset | partition:offset,... (--from"
          + " inclusive, --to exclusive).",
      "Example: ./rewardstream replay --from 2026-01-01T00:00:00Z --to end"
          + " --judge-dir models/judge-v2 --output-topic rewards.v2"
    })
final class ReplayCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Mixin KafkaMixin kafka;

  @Option(
      names = "--input-topic",
      paramLabel = "TOPIC",
      defaultValue = "rollouts",
      description = "Topic of RolloutPairs to replay (default: ${DEFAULT-VALUE}).")
  String inputTopic;

  @Option(
      names = "--partitions",
      paramLabel = "P[,P...]",
      split = ",",
      description = "Input partitions to replay (default: all).")
  List<Integer> partitions = new ArrayList<>();

  @Option(
      names = "--from",
      required = true,
      paramLabel = "BOUND",
      description = "First record: beginning, an ISO-8601 instant, an offset or p:offset,...")
  String from;

  @Option(
      names = "--to",
      paramLabel = "BOUND",
      defaultValue = "end",
      description =
          "End, exclusive: end, an ISO-8601 instant, an offset or p:offset,..."
              + " (default: ${DEFAULT-VALUE}, the end when the replay starts).")
  String to;

  @Option(
      names = "--output-topic",
      required = true,
      paramLabel = "TOPIC",
      description = "Where the results go, e.g. rewards.v2 (created like the input if missing).")
  String outputTopic;

  @Option(
      names = "--dlq-topic",
      paramLabel = "TOPIC",
      description = "Dead-letter invalid records and failed pairs here (default: only count them).")
  String dlqTopic;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "8",
      description = "Pairs per judge call and per transaction (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = "--max-prompt-tokens",
      paramLabel = "N",
      defaultValue = "352",
      description =
          "Pairs whose judge prompt is longer are invalid, as in the pipeline's"
              + " judge.max.prompt.tokens; 0 = no check (default: ${DEFAULT-VALUE}).")
  int maxPromptTokens;

  @Option(
      names = "--transactional-id",
      paramLabel = "ID",
      description =
          "Producer transactional.id (default: rewardstream-replay.<output topic>: one"
              + " writer per output topic; a second replay into it fences the first).")
  String transactionalId;

  @Mixin JudgeMixin judge;

  @Override
  public Integer call() {
    if (maxPromptTokens < 0) {
      throw new IllegalArgumentException("--max-prompt-tokens must be >= 0");
    }
    Replayer.Options options =
        new Replayer.Options(
            kafka.resolved(),
            inputTopic,
            partitions,
            RangeBound.parse("--from", from),
            RangeBound.parse("--to", to),
            outputTopic,
            dlqTopic,
            batchSize,
            maxPromptTokens,
            transactionalId);
    // the options are valid; now the judge's files (local), then the cluster, before the judge
    // loads
    LanguageModel.checkDir(judge.judgeDir);
    kafka.connection(inputTopic, "--input-topic");
    PrintWriter out = spec.commandLine().getOut();
    try (ReflectiveJudge j = judge.open()) {
      System.err.printf(
          Locale.ROOT,
          "replaying %s -> %s with %s %s (%s mode)%n",
          inputTopic,
          outputTopic,
          j.info().id(),
          j.info().version(),
          j.info().mode());
      ProgressBar bar = new ProgressBar(System.err, "offsets");
      Replayer.Summary summary;
      try {
        summary = Replayer.run(options, j, bar::update);
      } catch (ReplayException e) {
        return failed(e);
      }
      out.print(format(summary));
    }
    out.flush();
    return 0;
  }

  /** An operational failure (fenced, topic missing, broker gone): one line, exit status 1. */
  private int failed(ReplayException e) {
    PrintWriter err = spec.commandLine().getErr();
    err.println();
    err.println(
        "replay: error: " + e.getMessage() + (e.getCause() == null ? "" : ": " + e.getCause()));
    err.flush();
    return 1;
  }

  static String format(Replayer.Summary s) {
    ReplayScorer.Counts c = s.counts();
    return String.format(
        Locale.ROOT,
        "range      %s (%d offsets)%n"
            + "read       %d records%n"
            + "scored     %d OK, %d FAILED in %.1f s (%.2f pairs/s)%n"
            + "skipped    %d already in the output (it held %d results before this run)%n"
            + "invalid    %d %s%n",
        s.range(),
        s.range().size(),
        c.read(),
        c.scored(),
        c.failed(),
        s.seconds(),
        s.pairsPerSecond(),
        c.skipped(),
        s.alreadyInOutput(),
        c.invalidTotal(),
        c.invalid().isEmpty() ? "" : c.invalid().toString());
  }
}
