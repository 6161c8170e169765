package io.rewardstream.deploy;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.Map;

/**
 * The fields of Strimzi's {@code KafkaTopic} (kafka.strimzi.io/v1) that deploy/ may use; parsed
 * with {@link Manifests#STRICT}, so any other field is an error.
 */
record KafkaTopic(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {

  /**
   * @param topicName the Kafka topic name when it differs from metadata.name
   * @param partitions partition count (= the most workers that can share the input)
   * @param replicas replication factor
   * @param config topic configuration (values may be numbers or strings in YAML)
   */
  record Spec(String topicName, int partitions, int replicas, Map<String, Object> config) {}

  /** The Kafka topic this resource declares. */
  String topic() {
    return spec.topicName() != null ? spec.topicName() : metadata.getName();
  }
}
