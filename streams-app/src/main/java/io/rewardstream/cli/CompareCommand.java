package io.rewardstream.cli;

import io.rewardstream.kafka.KafkaConnection;
import io.rewardstream.replay.CommittedReader;
import io.rewardstream.replay.Comparison;
import io.rewardstream.replay.ComparisonReport;
import io.rewardstream.replay.ReplayException;
import io.rewardstream.schemas.WireFormat;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rewardstream compare}: two rewards topics joined by rollout_id. */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "Reads two rewards topics to their end (read_committed), joins them by rollout_id and"
          + " reports agreement, verdict flips (A→B, B→A, to and from TIE), mean |Δ reward_a|,"
          + " overall and per policy_version. Prints a table and writes OUT.json (summary) and"
          + " OUT.html (self-contained, inline SVG plots).",
      "Example: ./rewardstream compare --baseline rewards --candidate rewards.v2 --out report"
    })
final class CompareCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Mixin KafkaMixin kafka;

  @Option(
      names = "--baseline",
      paramLabel = "TOPIC",
      defaultValue = "rewards",
      description = "Rewards of the current judge (default: ${DEFAULT-VALUE}).")
  String baseline;

  @Option(
      names = "--candidate",
      required = true,
      paramLabel = "TOPIC",
      description = "Rewards of the judge under test, e.g. rewards.v2.")
  String candidate;

  @Option(
      names = "--out",
      paramLabel = "PREFIX",
      defaultValue = "compare-report",
      description =
          "Report path prefix: writes PREFIX.json and PREFIX.html (default:"
              + " ${DEFAULT-VALUE}).")
  Path out;

  @Override
  public Integer call() {
    PrintWriter w = spec.commandLine().getOut();
    CommittedReader.Results base;
    CommittedReader.Results cand;
    try {
      KafkaConnection connection =
          kafka.connection(baseline, "--baseline", candidate, "--candidate");
      WireFormat wire = connection.wireFormat();
      base = CommittedReader.readResults(connection, wire, baseline);
      cand = CommittedReader.readResults(connection, wire, candidate);
    } catch (ReplayException e) {
      spec.commandLine().getErr().println("compare: error: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return 1;
    }
    note(w, baseline, base);
    note(w, candidate, cand);
    Comparison comparison = Comparison.of(baseline, base.results(), candidate, cand.results());
    w.print(ComparisonReport.table(comparison));
    Path[] written = ComparisonReport.write(comparison, out);
    w.println();
    w.println("wrote " + written[0] + " and " + written[1]);
    w.flush();
    return 0;
  }

  private static void note(PrintWriter w, String topic, CommittedReader.Results r) {
    if (r.duplicateKeys() > 0 || r.undecodable() > 0) {
      w.printf(
          "note: %s has %d records with a rollout_id seen before (the last one counts) and %d"
              + " that are not RewardResults (skipped)%n",
          topic, r.duplicateKeys(), r.undecodable());
    }
  }
}
