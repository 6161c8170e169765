package io.rewardstream.deploy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.rewardstream.app.AppConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;

/** One rendered overlay of deploy/k8s as typed objects, with the accessors the tests need. */
record Rendered(String overlay, List<ObjectNode> documents, List<Object> objects) {

  static Rendered overlay(String name) {
    Path dir = Manifests.deploy("k8s/overlays/" + name);
    List<ObjectNode> documents = KustomizeRenderer.render(dir);
    return new Rendered(name, documents, documents.stream().map(Manifests::typed).toList());
  }

  StatefulSet statefulSet() {
    return Manifests.single(objects, StatefulSet.class);
  }

  PodSpec podSpec() {
    return statefulSet().getSpec().getTemplate().getSpec();
  }

  Container worker() {
    List<Container> containers = podSpec().getContainers();
    if (containers.size() != 1) {
      throw new AssertionError("expected one worker container, found " + containers.size());
    }
    return containers.get(0);
  }

  ConfigMap configMap() {
    return Manifests.ofType(objects, ConfigMap.class).stream()
        .filter(c -> c.getMetadata().getName().equals("rewardstream-config"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no ConfigMap rewardstream-config"));
  }

  /** The app.properties the workers run with. */
  Properties appProperties() {
    return Manifests.properties(configMap().getData().get("app.properties"));
  }

  /** The same, validated by the application's own configuration class. */
  AppConfig appConfig() {
    return AppConfig.fromProperties(appProperties());
  }

  /** KafkaTopic resources by topic name. */
  Map<String, KafkaTopic> topics() {
    return Manifests.ofType(objects, KafkaTopic.class).stream()
        .collect(Collectors.toMap(KafkaTopic::topic, Function.identity()));
  }

  ScaledObject scaledObject() {
    return Manifests.single(objects, ScaledObject.class);
  }
}
