package io.rewardstream.gateway;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rewardstream.avro.DeadLetter;
import io.rewardstream.avro.GroupRewardResult;
import io.rewardstream.avro.ResponseReward;
import io.rewardstream.avro.RewardResult;
import java.util.List;

/** Outcomes to the JSON answer of the scoring API: the Avro results' fields, per item. */
final class Responses {

  private Responses() {}

  static ObjectNode results(List<Outcome> outcomes, boolean includeAnalysis) {
    ObjectNode body = GatewayServer.JSON.createObjectNode();
    ArrayNode results = body.putArray("results");
    for (Outcome outcome : outcomes) {
      results.add(of(outcome, includeAnalysis));
    }
    return body;
  }

  static ObjectNode of(Outcome outcome, boolean includeAnalysis) {
    if (outcome instanceof Outcome.Pair p) {
      return pair(p.result(), includeAnalysis);
    }
    if (outcome instanceof Outcome.Group g) {
      return group(g.result(), includeAnalysis);
    }
    return dead(((Outcome.Dead) outcome).letter());
  }

  static ObjectNode pair(RewardResult r, boolean includeAnalysis) {
    ObjectNode node = GatewayServer.JSON.createObjectNode();
    node.put("rollout_id", r.getRolloutId());
    node.put("status", r.getStatus().name());
    node.put("preferred", r.getPreferred().name());
    node.put("p_a_better", r.getPABetter());
    node.put("reward_a", r.getRewardA());
    node.put("reward_b", r.getRewardB());
    if (r.getPositionConsistency() != null) {
      node.put("position_consistency", r.getPositionConsistency());
    }
    if (includeAnalysis) {
      node.put("chosen_analysis", r.getChosenAnalysis());
    }
    judge(node, r.getMode(), r.getJudgeId(), r.getJudgeVersion(), r.getModelHash());
    node.put("seed", r.getSeed());
    node.put("generations", r.getGenerations());
    node.put("latency_ms", r.getLatencyMs());
    if (r.getFailureReason() != null) {
      error(node, "SCORING_FAILED", r.getFailureReason());
    }
    return node;
  }

  static ObjectNode group(GroupRewardResult r, boolean includeAnalysis) {
    ObjectNode node = GatewayServer.JSON.createObjectNode();
    node.put("group_id", r.getGroupId());
    node.put("status", r.getStatus().name());
    node.put("strategy", r.getStrategy());
    ArrayNode rewards = node.putArray("rewards");
    ArrayNode responses = node.putArray("responses");
    for (ResponseReward x : r.getResponses()) {
      rewards.add(x.getReward());
      responses
          .addObject()
          .put("response_id", x.getResponseId())
          .put("reward", x.getReward())
          .put("score", x.getScore())
          .put("rank", x.getRank())
          .put("wins", x.getWins())
          .put("losses", x.getLosses())
          .put("ties", x.getTies())
          .put("failed", x.getFailed());
    }
    node.put("comparison_count", r.getComparisonCount());
    node.put("generations", r.getGenerations());
    if (includeAnalysis) {
      ArrayNode comparisons = node.putArray("comparisons");
      r.getComparisons()
          .forEach(
              c ->
                  comparisons
                      .addObject()
                      .put("i", c.getI())
                      .put("j", c.getJ())
                      .put("preferred", c.getPreferred().name())
                      .put("p_a_better", c.getPABetter())
                      .put("chosen_analysis", c.getChosenAnalysis()));
    }
    judge(node, r.getMode(), r.getJudgeId(), r.getJudgeVersion(), r.getModelHash());
    node.put("latency_ms", r.getLatencyMs());
    if (r.getFailureReason() != null) {
      error(node, "SCORING_FAILED", r.getFailureReason());
    }
    return node;
  }

  static ObjectNode dead(DeadLetter d) {
    ObjectNode node = GatewayServer.JSON.createObjectNode();
    if (d.getRolloutId() != null) {
      node.put("rollout_id", d.getRolloutId());
    }
    if (d.getGroupId() != null) {
      node.put("group_id", d.getGroupId());
    }
    node.put("status", "DEAD_LETTERED");
    error(node, d.getReasonCode().name(), d.getReason());
    return node;
  }

  private static void judge(ObjectNode node, String mode, String id, String version, String hash) {
    node.put("mode", mode)
        .put("judge_id", id)
        .put("judge_version", version)
        .put("model_hash", hash);
  }

  private static void error(ObjectNode node, String code, String reason) {
    node.putObject("error").put("reason_code", code).put("reason", reason);
  }
}
