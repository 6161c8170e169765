package io.rewardstream.judge.group;

import io.rewardstream.judge.PairInput;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * How groups' comparisons become judge batches, shared by the streaming app and {@code eval
 * --groups}: a batch is filled with pending matches from the first groups on, so small groups (or
 * the last round of a big one) share a judge call instead of leaving it half empty.
 */
public final class GroupBatches {

  /**
   * One place in a judge batch.
   *
   * @param group the group the match belongs to
   * @param match the match
   * @param <T> the caller's group type
   */
  public record Slot<T>(T group, Match match) {}

  private GroupBatches() {}

  /**
   * Up to {@code batchSize} pending matches, taken from the groups in order.
   *
   * @param groups the groups, in the order they should be served (oldest first)
   * @param pending each group's pending matches ({@link GroupStrategy#pending})
   */
  public static <T> List<Slot<T>> fill(
      List<T> groups, Function<T, List<Match>> pending, int batchSize) {
    List<Slot<T>> slots = new ArrayList<>(batchSize);
    for (T group : groups) {
      if (slots.size() >= batchSize) {
        break;
      }
      List<Match> matches = pending.apply(group);
      for (Match m : matches.subList(0, Math.min(matches.size(), batchSize - slots.size()))) {
        slots.add(new Slot<>(group, m));
      }
    }
    return slots;
  }

  /**
   * The judge's pair for a match: response i as A, j as B. The id {@code <groupId>#<i>v<j>} makes
   * the judge's sampling seed a function of (group_id, i, j) and the judge version only, so a group
   * judged again (after a crash, or by another instance) gets the same verdicts.
   */
  public static PairInput pairInput(String groupId, String prompt, List<String> texts, Match m) {
    return pairInput(groupId, prompt, List.of(), texts, m);
  }

  /** The same, for a group whose prompt also came in chat form. */
  public static PairInput pairInput(
      String groupId, String prompt, List<PairInput.Turn> messages, List<String> texts, Match m) {
    return new PairInput(
        groupId + "#" + m.i() + "v" + m.j(), prompt, texts.get(m.i()), texts.get(m.j()), messages);
  }
}
