package io.rewardstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.rewardstream.app.AppConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every file under deploy/k8s parses into typed Kubernetes objects; unknown fields fail. */
class KubernetesManifestsTest {

  @Test
  void everyManifestAndPatchParsesIntoItsType() throws IOException {
    // Given every YAML file under deploy/k8s except the kustomizations themselves
    List<Path> files;
    try (Stream<Path> walk = Files.walk(Manifests.deploy("k8s"))) {
      files =
          walk.filter(p -> p.toString().endsWith(".yaml"))
              .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
              .sorted()
              .toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(10);

    // When each document is parsed strictly, Then none fails (partial patches included)
    for (Path file : files) {
      List<ObjectNode> documents = Manifests.documents(file);
      assertThat(documents).as(file.toString()).isNotEmpty();
      documents.forEach(Manifests::typed);
    }
  }

  @Test
  void baseHoldsTheExpectedKinds() {
    List<Object> base =
        KustomizeRenderer.render(Manifests.deploy("k8s/base")).stream()
            .map(Manifests::typed)
            .toList();

    assertThat(Manifests.ofType(base, StatefulSet.class)).hasSize(1);
    assertThat(Manifests.ofType(base, io.fabric8.kubernetes.api.model.apps.Deployment.class))
        .extracting(d -> d.getMetadata().getName())
        .containsExactlyInAnyOrder("rewardstream-drift", "rewardstream-gateway");
    assertThat(Manifests.ofType(base, ConfigMap.class)).hasSize(1);
    assertThat(Manifests.ofType(base, Service.class))
        .extracting(svc -> svc.getMetadata().getName())
        .containsExactlyInAnyOrder("rewardstream", "rewardstream-gateway");
    assertThat(Manifests.ofType(base, PodDisruptionBudget.class)).hasSize(1);
    assertThat(Manifests.ofType(base, PersistentVolumeClaim.class)).hasSize(1);
    assertThat(Manifests.ofType(base, ScaledObject.class)).hasSize(1);
    assertThat(Manifests.ofType(base, KafkaTopic.class))
        .extracting(KafkaTopic::topic)
        .containsExactlyInAnyOrder(
            "rollouts",
            "rewards",
            "rollouts-dlq",
            "reward-stats",
            "reward-drift-alerts",
            "rollout-groups",
            "group-rewards",
            "group-reward-stats");
  }

  @Test
  void aMisspeltFieldIsRejectedNotIgnored() {
    ObjectNode statefulSet = document("k8s/base/statefulset.yaml", 0);
    ((ObjectNode) statefulSet.at("/spec/template/spec"))
        .put("terminationGracePeriod", 60); // the real field is terminationGracePeriodSeconds
    assertThatThrownBy(() -> Manifests.typed(statefulSet))
        .hasMessageContaining("terminationGracePeriod");

    ObjectNode container = document("k8s/base/statefulset.yaml", 0);
    ((ObjectNode) container.at("/spec/template/spec/containers/0")).put("imagePullPolicyy", "x");
    assertThatThrownBy(() -> Manifests.typed(container)).hasMessageContaining("imagePullPolicyy");

    ObjectNode topic = document("k8s/base/topics.yaml", 0);
    ((ObjectNode) topic.at("/spec")).put("partition", 3);
    assertThatThrownBy(() -> Manifests.typed(topic)).hasMessageContaining("partition");

    ObjectNode scaled = document("k8s/base/scaledobject.yaml", 0);
    ((ObjectNode) scaled.at("/spec/triggers/0/metadata")).put("lagTreshold", "10");
    ScaledObject parsed = (ScaledObject) Manifests.typed(scaled);
    assertThatThrownBy(() -> parsed.spec().triggers().get(0).kafka())
        .hasMessageContaining("lagTreshold");
  }

  @Test
  void aKustomizationFieldTheRendererDoesNotImplementIsRejected() throws IOException {
    Path dir = Files.createTempDirectory("kustomization");
    Files.writeString(
        dir.resolve("kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamePrefix: x-\n");
    assertThatThrownBy(() -> KustomizeRenderer.render(dir)).hasStackTraceContaining("namePrefix");
  }

  @Test
  void replayJobScoresWithTheCandidateIntoItsOwnTopic() {
    Job job = (Job) Manifests.typed(document("k8s/jobs/replay-judge.yaml", 0));
    Rendered gpu = Rendered.overlay("gpu");
    AppConfig config = gpu.appConfig();
    Container replay = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    List<String> args = replay.getArgs();

    assertThat(args.get(0)).isEqualTo("replay");
    assertThat(option(args, "--bootstrap-servers")).isEqualTo(config.bootstrapServers());
    assertThat(option(args, "--input-topic")).isEqualTo(config.inputTopic());
    // never into the live rewards topic: compare reads both
    assertThat(option(args, "--output-topic"))
        .isNotIn(config.outputTopic(), config.dlqTopic(), config.inputTopic());
    assertThat(replay.getVolumeMounts())
        .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo(option(args, "--judge-dir")));
    assertThat(option(args, "--device")).isEqualTo("cuda");
    assertThat(replay.getImage()).isEqualTo(gpu.worker().getImage());
    assertThat(replay.getResources().getLimits())
        .containsEntry("nvidia.com/gpu", new Quantity("1"));
  }

  private static String option(List<String> args, String name) {
    int i = args.indexOf(name);
    assertThat(i).as(name).isNotNegative();
    return args.get(i + 1);
  }

  private static ObjectNode document(String file, int index) {
    return Manifests.documents(Manifests.deploy(file)).get(index);
  }
}
