package io.rewardstream.judge.group;

import io.rewardstream.judge.Judge;
import io.rewardstream.judge.PairInput;
import io.rewardstream.judge.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntConsumer;

/**
 * Ranks groups with a judge directly, without Kafka: the same strategy, batching, seeds and fit as
 * the streaming app. For {@code eval --groups} and anything else that wants group rewards in
 * process.
 */
public final class GroupRanker {

  /**
   * A group to rank.
   *
   * @param id group id (seeds the strategy and the judge's sampling)
   * @param prompt the prompt
   * @param texts the responses
   */
  public record GroupInput(String id, String prompt, List<String> texts) {
    public GroupInput {
      texts = List.copyOf(texts);
    }

    /** The strategy's seed: the same derivation as the streaming app's. */
    public long seed() {
      return seedOf(id);
    }
  }

  /**
   * A ranked group.
   *
   * @param input the group
   * @param judged every comparison made
   * @param scores the per-response scores
   */
  public record Ranked(GroupInput input, List<Comparison> judged, GroupScores scores) {}

  private GroupRanker() {}

  /** A group's strategy seed, from its id alone (any instance, any run agrees). */
  public static long seedOf(String groupId) {
    return UUID.nameUUIDFromBytes(groupId.getBytes(StandardCharsets.UTF_8))
        .getMostSignificantBits();
  }

  /**
   * Ranks every group, filling each judge call with up to {@code batchSize} comparisons.
   *
   * @param progress called with the number of groups finished so far
   * @return one result per group, in input order
   */
  public static List<Ranked> rank(
      Judge judge,
      GroupStrategy strategy,
      List<GroupInput> groups,
      int batchSize,
      IntConsumer progress) {
    Map<GroupInput, List<Comparison>> open = new LinkedHashMap<>();
    groups.forEach(g -> open.put(g, new ArrayList<>()));
    Map<GroupInput, Ranked> done = new LinkedHashMap<>();
    while (!open.isEmpty()) {
      List<GroupBatches.Slot<GroupInput>> slots =
          GroupBatches.fill(
              List.copyOf(open.keySet()),
              g -> strategy.pending(g.texts().size(), g.seed(), open.get(g)),
              batchSize);
      List<PairInput> inputs =
          slots.stream()
              .map(
                  s ->
                      GroupBatches.pairInput(
                          s.group().id(), s.group().prompt(), s.group().texts(), s.match()))
              .toList();
      List<Verdict> verdicts = inputs.isEmpty() ? List.of() : judge.judge(inputs);
      for (int k = 0; k < slots.size(); k++) {
        open.get(slots.get(k).group()).add(Comparison.of(slots.get(k).match(), verdicts.get(k)));
      }
      for (GroupInput g : List.copyOf(open.keySet())) {
        List<Comparison> judged = open.get(g);
        if (strategy.pending(g.texts().size(), g.seed(), judged).isEmpty()) {
          open.remove(g);
          done.put(g, new Ranked(g, List.copyOf(judged), GroupScores.of(g.texts().size(), judged)));
          progress.accept(done.size());
        }
      }
    }
    return groups.stream().map(done::get).toList();
  }
}
