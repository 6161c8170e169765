package io.rewardstream.deploy;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;
import java.util.Map;

/**
 * The fields of the Prometheus Operator's {@code PrometheusRule} (monitoring.coreos.com/v1) that
 * deploy/ may use; parsed with {@link Manifests#STRICT}. The expressions themselves are checked by
 * promtool (ComposeTest).
 */
record PrometheusRule(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {

  record Spec(List<Group> groups) {}

  record Group(String name, String interval, List<Rule> rules) {}

  record Rule(
      String alert,
      String record,
      String expr,
      @com.fasterxml.jackson.annotation.JsonProperty("for") String forDuration,
      Map<String, String> labels,
      Map<String, String> annotations) {}
}
