package io.rewardstream.topology;

import java.util.Objects;

/**
 * What the scoring topology needs to know: its topics, the batch shape and the prompt token budget.
 * The app fills it from its configuration ({@code AppConfig.topologySettings()}), so the topology
 * does not depend on how the app is configured.
 *
 * @param inputTopic rollout pairs (Avro RolloutPair)
 * @param outputTopic rewards (Avro RewardResult)
 * @param dlqTopic dead letters (Avro DeadLetter)
 * @param batchSize pairs per judge call
 * @param batchMaxWaitMs longest wait for a batch to fill
 * @param maxPromptTokens longest judge prompt a pair may need before it is dead-lettered
 * @param maxRecordBytes largest input record (key + value bytes) before it is dead-lettered
 * @param duplicatesRetentionMs how long a scored rollout_id is remembered to refuse a re-send
 * @param poisonMaxAttempts scoring attempts of a pair that never committed before it is POISON
 * @param groups group scoring's settings ({@link GroupSettings#disabled()}: pairs only)
 */
public record TopologySettings(
    String inputTopic,
    String outputTopic,
    String dlqTopic,
    int batchSize,
    long batchMaxWaitMs,
    int maxPromptTokens,
    int maxRecordBytes,
    long duplicatesRetentionMs,
    int poisonMaxAttempts,
    GroupSettings groups) {

  public TopologySettings {
    Objects.requireNonNull(inputTopic, "inputTopic");
    Objects.requireNonNull(outputTopic, "outputTopic");
    Objects.requireNonNull(dlqTopic, "dlqTopic");
    Objects.requireNonNull(groups, "groups");
  }
}
