package io.rewardstream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.Preference;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.ScoreStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoTableTest {

  private final StringWriter text = new StringWriter();
  private final DemoSample sample = DemoSample.load("");
  private final DemoTable table = new DemoTable(new PrintWriter(text, true), sample);

  private static RewardResult result(String id, Preference preferred) {
    return RewardResult.newBuilder()
        .setRolloutId(id)
        .setStatus(ScoreStatus.OK)
        .setPreferred(preferred)
        .setPABetter(preferred == Preference.A ? 0.9 : 0.1)
        .setRewardA(preferred == Preference.A ? 0.4 : -0.4)
        .setRewardB(preferred == Preference.A ? -0.4 : 0.4)
        .setChosenAnalysis("<Analysis>4 matches Response 1.</Analysis>")
        .setJudgeId("j")
        .setJudgeVersion("1")
        .setModelHash("h")
        .setSeed(1)
        .setLatencyMs(1200)
        .setScoredAt(Instant.EPOCH)
        .build();
  }

  private static DeadLetter letter(String key, DeadLetterReason reason) {
    return DeadLetter.newBuilder()
        .setReasonCode(reason)
        .setReason("because")
        .setSourceTopic("rollouts")
        .setSourcePartition(0)
        .setSourceOffset(0)
        .setOriginalKey(ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)))
        .setFailedAt(Instant.EPOCH)
        .build();
  }

  @Test
  void marksRightAndWrongVerdictsAndChecksTheDeadLetters() {
    sample.truth().forEach((id, better) -> table.accept(result(id, Preference.valueOf(better))));
    for (String key : List.of("demo-bad-garbage", "demo-bad-wrong-schema")) {
      table.accept(letter(key, DeadLetterReason.UNDECODABLE));
    }
    table.accept(letter("demo-bad-empty", DeadLetterReason.EMPTY_FIELD));
    table.accept(letter("demo-bad-too-long", DeadLetterReason.OVER_TOKEN_BUDGET));
    table.accept(letter("demo-01", DeadLetterReason.DUPLICATE));
    table.accept(result("someone-else", Preference.A)); // not this run's: ignored

    assertThat(table.complete()).isTrue();
    assertThat(table.printSummary(12.0, "greedy", 4)).isTrue();
    assertThat(text.toString())
        .contains("demo-01                A       A     ✓        0.900    +0.400  1200 ms")
        .contains("scored 24 of 24 pairs (24 OK, 0 FAILED), 5 dead-lettered, in 12.0 s")
        .contains("accuracy on the sample: 24/24 = 100.0% (ties 0)")
        .contains("throughput: 2.00 pairs/s")
        .contains("(as expected)")
        .doesNotContain("someone-else");
  }

  @Test
  void aMissingDeadLetterOrASecondResultIsReported() {
    sample.truth().forEach((id, better) -> table.accept(result(id, Preference.TIE)));
    table.accept(result("demo-02", Preference.TIE));

    assertThat(table.printSummary(1.0, "greedy", 4)).isFalse();
    assertThat(text.toString())
        .contains("accuracy on the sample: 0/24 = 0.0% (ties 24)")
        .contains("EXPECTED {UNDECODABLE=2")
        .contains("1 rollouts got more than one result");
  }
}
