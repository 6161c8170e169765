package io.rewardstream.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.DeadLetterReason;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.avro.ScoreStatus;
import io.rewardstream.judge.Judge;
import io.rewardstream.judge.JudgeInfo;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.Verdict;
import io.rewardstream.schemas.AvroSerdes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplayScorerTest {

  /** Prefers A unless the rollout id contains "b"; throws for "boom" (the batch and alone). */
  static final class FakeJudge implements Judge {
    final List<Integer> batchSizes = new ArrayList<>();

    @Override
    public List<Verdict> judge(List<PairInput> batch) {
      batchSizes.add(batch.size());
      if (batch.stream().anyMatch(p -> p.rolloutId().contains("boom"))) {
        throw new IllegalStateException("boom");
      }
      return batch.stream().map(p -> verdict(p.rolloutId())).toList();
    }

    private static Verdict verdict(String id) {
      boolean a = !id.contains("b");
      return new Verdict(
          id,
          a ? Verdict.Preference.A : Verdict.Preference.B,
          a ? 1 : 0,
          a ? 0.5 : -0.5,
          a ? -0.5 : 0.5,
          "",
          -1,
          List.of(),
          null,
          7,
          2,
          10,
          null);
    }

    @Override
    public int promptTokens(PairInput pair) {
      return pair.prompt().length();
    }

    @Override
    public JudgeInfo info() {
      return new JudgeInfo("fake", "1", "hash", "greedy");
    }

    @Override
    public void close() {}
  }

  private final List<List<RewardResult>> written = new ArrayList<>();
  private final List<DeadLetter> letters = new ArrayList<>();
  private final FakeJudge judge = new FakeJudge();

  private ReplayScorer scorer(Set<String> already, Set<ReplayScorer.Position> lettered) {
    return new ReplayScorer(
        judge,
        bytes -> AvroSerdes.rolloutPair().deserializer().deserialize("t", bytes),
        already,
        lettered,
        2,
        20,
        () -> 1_000L,
        (results, deadLetters) -> {
          written.add(results);
          letters.addAll(deadLetters);
        });
  }

  private static long offset;

  private static ReplayScorer.Input input(String id, String prompt) {
    RolloutPair pair =
        RolloutPair.newBuilder()
            .setRolloutId(id)
            .setPrompt(prompt)
            .setResponseA("a")
            .setResponseB("b")
            .setPolicyVersion("p")
            .setProducedAt(Instant.EPOCH)
            .build();
    return raw(AvroSerdes.rolloutPair().serializer().serialize("t", pair));
  }

  private static ReplayScorer.Input raw(byte[] value) {
    return new ReplayScorer.Input("t", 0, offset++, null, value, 900L);
  }

  @Test
  void scoresInBatchesWithProvenanceAndSkipsWhatTheOutputHolds() {
    ReplayScorer s = scorer(new HashSet<>(Set.of("r2")), Set.of());

    for (String id : List.of("r1", "r2", "r3", "rb4", "r1", "r5")) {
      s.accept(input(id, "q"));
    }
    s.flush();

    assertThat(written).extracting(List::size).containsExactly(2, 2);
    List<RewardResult> all = written.stream().flatMap(List::stream).toList();
    assertThat(all).extracting(RewardResult::getRolloutId).containsExactly("r1", "r3", "rb4", "r5");
    RewardResult first = all.get(0);
    assertThat(first.getSourceTopic()).isEqualTo("t");
    assertThat(first.getJudgeId()).isEqualTo("fake");
    assertThat(first.getLatencyMs()).isEqualTo(100);
    assertThat(all.get(2).getRewardA()).isEqualTo(-0.5);
    assertThat(s.counts().scored()).isEqualTo(4);
    assertThat(s.counts().skipped()).isEqualTo(2); // r2 (in the output), r1 (seen again)
  }

  @Test
  void invalidRecordsAreCountedAndDeadLetteredOnceNeverThrown() {
    ReplayScorer s = scorer(new HashSet<>(), Set.of(new ReplayScorer.Position("t", 0, offset + 1)));

    s.accept(raw("junk".getBytes(StandardCharsets.UTF_8))); // undecodable
    s.accept(raw("junk".getBytes(StandardCharsets.UTF_8))); // undecodable, lettered before
    s.accept(input("r1", " ")); // empty prompt
    s.accept(input("r2", "x".repeat(21))); // over the 20-token budget
    s.accept(input("boom", "q")); // the judge throws: a FAILED result
    s.flush();

    assertThat(s.counts().invalid())
        .containsEntry("UNDECODABLE", 2L)
        .containsEntry("EMPTY_FIELD", 1L)
        .containsEntry("OVER_TOKEN_BUDGET", 1L);
    assertThat(letters)
        .extracting(DeadLetter::getReasonCode)
        .containsExactly(
            DeadLetterReason.UNDECODABLE,
            DeadLetterReason.EMPTY_FIELD,
            DeadLetterReason.OVER_TOKEN_BUDGET,
            DeadLetterReason.SCORING_FAILED);
    assertThat(written.get(written.size() - 1))
        .singleElement()
        .satisfies(r -> assertThat(r.getStatus()).isEqualTo(ScoreStatus.FAILED));
    assertThat(s.counts().failed()).isEqualTo(1);
  }
}
