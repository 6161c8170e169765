package io.rewardstream.deploy;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;
import java.util.Map;

/**
 * The fields of KEDA's {@code ScaledObject} (keda.sh/v1alpha1) that deploy/ may use, with the Kafka
 * scaler's metadata keys; parsed with {@link Manifests#STRICT}, so any other field or key (e.g. a
 * misspelt {@code lagTreshold}, which KEDA would silently ignore) is an error.
 */
record ScaledObject(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {

  record Spec(
      ScaleTargetRef scaleTargetRef,
      Integer pollingInterval,
      Integer cooldownPeriod,
      Integer minReplicaCount,
      Integer maxReplicaCount,
      Advanced advanced,
      List<Trigger> triggers) {}

  record ScaleTargetRef(String apiVersion, String kind, String name) {}

  record Advanced(HpaConfig horizontalPodAutoscalerConfig) {}

  record HpaConfig(Behavior behavior) {}

  record Behavior(Rules scaleUp, Rules scaleDown) {}

  record Rules(Integer stabilizationWindowSeconds, String selectPolicy, List<Policy> policies) {}

  record Policy(String type, int value, int periodSeconds) {}

  record Trigger(String type, AuthenticationRef authenticationRef, Map<String, String> metadata) {
    /** The metadata as the Kafka scaler's keys; an unknown key fails. */
    KafkaMetadata kafka() {
      return Manifests.STRICT.convertValue(metadata, KafkaMetadata.class);
    }
  }

  /** A TriggerAuthentication by name. */
  record AuthenticationRef(String name, String kind) {}

  /** The keys of KEDA's Kafka scaler (keda.sh/docs/scalers/apache-kafka) used or allowed here. */
  record KafkaMetadata(
      String bootstrapServers,
      String consumerGroup,
      String topic,
      String lagThreshold,
      String activationLagThreshold,
      String offsetResetPolicy,
      String allowIdleConsumers,
      String scaleToZeroOnInvalidOffset,
      String excludePersistentLag,
      String limitToPartitionsWithLag,
      String sasl,
      String tls,
      String version) {}
}
