package io.rewardstream.scoring;

import io.rewardstream.avro.ChatMessage;
import io.rewardstream.avro.GroupChatMessage;
import io.rewardstream.avro.RolloutPair;
import io.rewardstream.judge.PairInput;
import java.util.List;
import java.util.function.Function;

/**
 * What the judge is given of a rollout pair: the one conversion, for run, replay and the budget.
 */
public final class PairInputs {
  private PairInputs() {}

  public static PairInput of(RolloutPair pair) {
    return new PairInput(
        pair.getRolloutId(),
        pair.getPrompt(),
        pair.getResponseA(),
        pair.getResponseB(),
        turns(pair.getMessages()));
  }

  /** A chat-form prompt as the judge's turns; none when the actor sent only the text. */
  public static List<PairInput.Turn> turns(List<ChatMessage> messages) {
    return turns(messages, ChatMessage::getRole, ChatMessage::getContent);
  }

  /** A group's chat-form prompt as the judge's turns. */
  public static List<PairInput.Turn> groupTurns(List<GroupChatMessage> messages) {
    return turns(messages, GroupChatMessage::getRole, GroupChatMessage::getContent);
  }

  private static <M> List<PairInput.Turn> turns(
      List<M> messages, Function<M, String> role, Function<M, String> content) {
    return messages == null
        ? List.of()
        : messages.stream().map(m -> new PairInput.Turn(role.apply(m), content.apply(m))).toList();
  }
}
