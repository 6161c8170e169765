package io.rewardstream.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rewardstream.avro.GroupResponse;
import io.rewardstream.avro.GroupRewardResult;
import io.rewardstream.avro.RewardResult;
import io.rewardstream.avro.RolloutGroup;
import io.rewardstream.avro.RolloutPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenRLHF's remote reward model protocol ({@code --remote_rm_url http://host:port/get_reward}):
 * request {@code {"query": [...], "prompts": [...], "labels": [...]}}, response {@code {"rewards":
 * [...], "scores": [...], "extra_logs": {...}}}.
 *
 * <p>What the reward means. Each query is prompt + response; the response is the query minus its
 * prompt. Queries are grouped by prompt: a prompt with several responses (OpenRLHF's {@code
 * n_samples_per_prompt}) is one group, and each response's reward is its group-relative
 * Bradley–Terry reward (mean 0 in the group; 1 = odds of e:1 against the group; needs group scoring
 * on the scorers); {@code scores} holds its expected win rate in the group (0..1). A prompt with a
 * single response is judged against its label (reference answer) as a pair: reward {@code p_better
 * - 0.5} in [-0.5, 0.5], score {@code p_better}. A single response without a label cannot be
 * judged: 422. A dead-lettered or failed item fails the whole request with 422 and the reasons (the
 * protocol has no per-item errors, and a silent 0 would be trained on).
 */
final class OpenRlhf {

  private OpenRlhf() {}

  /** Where each query's reward comes from: (pair index) or (group index, response index). */
  private record Source(boolean fromGroup, int item, int position) {}

  /** The records to send and how to assemble the answer from their outcomes. */
  record Plan(List<RolloutPair> pairs, List<RolloutGroup> groups, List<Source> sources) {

    /** Outcomes come pairs first, then groups, in plan order. */
    GatewayServer.Response answer(List<Outcome> outcomes) {
      ArrayNode problems = GatewayServer.JSON.createArrayNode();
      for (int k = 0; k < outcomes.size(); k++) {
        Outcome o = outcomes.get(k);
        boolean failed =
            o instanceof Outcome.Dead
                || (o instanceof Outcome.Pair p && p.result().getFailureReason() != null)
                || (o instanceof Outcome.Group g && g.result().getFailureReason() != null);
        if (failed) {
          problems.add(Responses.of(o, false));
        }
      }
      if (!problems.isEmpty()) {
        ObjectNode body = GatewayServer.JSON.createObjectNode();
        body.put("error", problems.size() + " item(s) could not be scored; see \"items\"");
        body.set("items", problems);
        return new GatewayServer.Response(422, body);
      }
      ObjectNode body = GatewayServer.JSON.createObjectNode();
      ArrayNode rewards = body.putArray("rewards");
      ArrayNode scores = body.putArray("scores");
      for (Source s : sources) {
        if (s.fromGroup()) {
          GroupRewardResult r = ((Outcome.Group) outcomes.get(pairs.size() + s.item())).result();
          rewards.add(r.getResponses().get(s.position()).getReward());
          scores.add(r.getResponses().get(s.position()).getScore());
        } else {
          RewardResult r = ((Outcome.Pair) outcomes.get(s.item())).result();
          rewards.add(r.getRewardA());
          scores.add(r.getPABetter());
        }
      }
      body.putObject("extra_logs").set("rewardstream_reward", rewards.deepCopy());
      return new GatewayServer.Response(200, body);
    }
  }

  static Plan plan(JsonNode body) {
    JsonNode queries = Requests.array(body, "query");
    JsonNode prompts = body.get("prompts");
    JsonNode labels = body.get("labels");
    Map<String, List<Integer>> byPrompt = new LinkedHashMap<>();
    List<String> responses = new ArrayList<>();
    for (int i = 0; i < queries.size(); i++) {
      if (!queries.get(i).isTextual()) {
        throw new GatewayServer.BadRequest("query[" + i + "] must be a string");
      }
      String query = queries.get(i).textValue();
      String prompt = prompts != null && prompts.has(i) ? prompts.get(i).asText("") : "";
      responses.add(query.startsWith(prompt) ? query.substring(prompt.length()) : query);
      byPrompt.computeIfAbsent(prompt, p -> new ArrayList<>()).add(i);
    }
    List<RolloutPair> pairs = new ArrayList<>();
    List<RolloutGroup> groups = new ArrayList<>();
    Source[] sources = new Source[queries.size()];
    byPrompt.forEach(
        (prompt, idx) -> {
          if (idx.size() == 1) {
            int i = idx.get(0);
            String label = labels != null && labels.has(i) ? labels.get(i).asText("") : "";
            if (label.isBlank()) {
              throw new GatewayServer.BadRequest(
                  422,
                  "query["
                      + i
                      + "] is the only response to its prompt and has no label: a lone response"
                      + " is judged against its label (reference answer); send labels, or several"
                      + " responses per prompt");
            }
            sources[i] = new Source(false, pairs.size(), 0);
            pairs.add(
                RolloutPair.newBuilder()
                    .setRolloutId(Requests.newId())
                    .setPrompt(prompt)
                    .setResponseA(responses.get(i))
                    .setResponseB(label)
                    .setPolicyVersion("openrlhf")
                    .setProducedAt(Instant.now())
                    .build());
            return;
          }
          List<GroupResponse> list = new ArrayList<>();
          for (int k = 0; k < idx.size(); k++) {
            sources[idx.get(k)] = new Source(true, groups.size(), k);
            list.add(new GroupResponse("q" + idx.get(k), responses.get(idx.get(k))));
          }
          groups.add(
              RolloutGroup.newBuilder()
                  .setGroupId(Requests.newId())
                  .setPrompt(prompt)
                  .setResponses(list)
                  .setPolicyVersion("openrlhf")
                  .setProducedAt(Instant.now())
                  .build());
        });
    return new Plan(pairs, groups, List.of(sources));
  }
}
