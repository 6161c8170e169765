package io.rewardstream.deploy;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;

/**
 * The fields of Strimzi's {@code KafkaUser} (kafka.strimzi.io/v1) that deploy/ may use; parsed with
 * {@link Manifests#STRICT}, so any other field is an error.
 */
record KafkaUser(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {

  record Spec(Authentication authentication, Authorization authorization) {}

  /** {@code scram-sha-512} or {@code tls}. */
  record Authentication(String type) {}

  record Authorization(String type, List<Acl> acls) {}

  record Acl(Resource resource, List<String> operations, String host, String type) {}

  /** topic, group, cluster or transactionalId; patternType literal or prefix. */
  record Resource(String type, String name, String patternType) {}
}
