package io.rewardstream.deploy;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;

/**
 * The fields of KEDA's {@code TriggerAuthentication} (keda.sh/v1alpha1) that deploy/ may use:
 * parameters from Secrets only; parsed with {@link Manifests#STRICT}.
 */
record TriggerAuthentication(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {

  record Spec(List<SecretTargetRef> secretTargetRef) {}

  /** One scaler parameter (for Kafka: sasl, username, password, tls, ca, cert, key). */
  record SecretTargetRef(String parameter, String name, String key) {}
}
