package io.rewardstream.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.rewardstream.avro.GroupRewardResult;
import io.rewardstream.avro.GroupStatus;
import io.rewardstream.avro.Preference;
import io.rewardstream.avro.ResponseReward;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.ScoreStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenRlhfTest {

  private static JsonNode json(String text) throws Exception {
    return GatewayServer.JSON.readTree(text);
  }

  @Test
  void responsesOfOnePromptAreOneGroupAndALoneOneIsJudgedAgainstItsLabel() throws Exception {
    OpenRlhf.Plan plan =
        OpenRlhf.plan(
            json(
                "{\"query\": [\"Q1 a\", \"Q2 x\", \"Q1 bb\"], \"prompts\": [\"Q1\", \"Q2\", \"Q1\"],"
                    + " \"labels\": [\"\", \"ref\", \"\"]}"));

    assertThat(plan.groups()).hasSize(1);
    assertThat(plan.groups().get(0).getPrompt()).isEqualTo("Q1");
    assertThat(plan.groups().get(0).getResponses())
        .extracting(r -> r.getText())
        .containsExactly(" a", " bb");
    assertThat(plan.pairs())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getResponseA()).isEqualTo(" x");
              assertThat(p.getResponseB()).isEqualTo("ref");
            });

    // the answer puts each query's reward back in query order
    List<Outcome> outcomes = new ArrayList<>();
    outcomes.add(new Outcome.Pair(pair(plan.pairs().get(0).getRolloutId(), 0.8)));
    outcomes.add(new Outcome.Group(group(plan.groups().get(0).getGroupId(), -0.4, 0.4)));
    GatewayServer.Response response = plan.answer(outcomes);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body().get("rewards").toString())
        .isEqualTo("[-0.4,0.30000000000000004,0.4]");
    assertThat(response.body().get("scores").get(1).asDouble()).isEqualTo(0.8);
    assertThat(response.body().get("extra_logs").has("rewardstream_reward")).isTrue();
  }

  @Test
  void aLoneResponseWithoutALabelIsRefusedNamingIt() {
    assertThatThrownBy(() -> OpenRlhf.plan(json("{\"query\": [\"Q a\"], \"prompts\": [\"Q\"]}")))
        .isInstanceOf(GatewayServer.BadRequest.class)
        .hasMessageContaining("query[0]")
        .hasMessageContaining("label");
  }

  private static RewardResult pair(String id, double p) {
    return RewardResult.newBuilder()
        .setRolloutId(id)
        .setStatus(ScoreStatus.OK)
        .setPreferred(Preference.A)
        .setPABetter(p)
        .setRewardA(p - 0.5)
        .setRewardB(0.5 - p)
        .setJudgeId("j")
        .setJudgeVersion("1")
        .setModelHash("h")
        .setSeed(1)
        .setLatencyMs(1)
        .setScoredAt(Instant.EPOCH)
        .build();
  }

  private static GroupRewardResult group(String id, double r0, double r1) {
    return GroupRewardResult.newBuilder()
        .setGroupId(id)
        .setStatus(GroupStatus.OK)
        .setStrategy("swiss")
        .setResponses(
            List.of(
                new ResponseReward("q0", r0, 0.4, 2, 0, 1, 0, 0),
                new ResponseReward("q2", r1, 0.6, 1, 1, 0, 0, 0)))
        .setComparisonCount(1)
        .setMode("greedy")
        .setJudgeId("j")
        .setJudgeVersion("1")
        .setModelHash("h")
        .setSeed(1)
        .setLatencyMs(1)
        .setScoredAt(Instant.EPOCH)
        .build();
  }
}
