package io.rewardstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
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
    List<Object> base = renderedBase();

    assertThat(Manifests.ofType(base, StatefulSet.class)).hasSize(1);
    assertThat(Manifests.ofType(base, Deployment.class))
        .extracting(d -> d.getMetadata().getName())
        .containsExactlyInAnyOrder("rewardstream-drift", "rewardstream-gateway");
    assertThat(Manifests.ofType(base, ConfigMap.class))
        .extracting(c -> c.getMetadata().getName())
        .containsExactlyInAnyOrder("rewardstream-config", "rewardstream-kafka-client");
    assertThat(Manifests.ofType(base, KafkaUser.class)).hasSize(1);
    assertThat(Manifests.ofType(base, TriggerAuthentication.class)).hasSize(1);
    assertThat(Manifests.ofType(base, NetworkPolicy.class)).hasSize(1);
    assertThat(Manifests.ofType(base, PrometheusRule.class)).hasSize(1);
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

  @Test
  void everyPodMeetsTheRestrictedStandardAndTakesKafkaSecretsFromSecrets() {
    List<Object> objects = new java.util.ArrayList<>(renderedBase());
    objects.add(Manifests.typed(document("k8s/jobs/replay-judge.yaml", 0)));
    List<PodTemplateSpec> pods = new java.util.ArrayList<>();
    Manifests.ofType(objects, StatefulSet.class).forEach(o -> pods.add(o.getSpec().getTemplate()));
    Manifests.ofType(objects, Deployment.class).forEach(o -> pods.add(o.getSpec().getTemplate()));
    Manifests.ofType(objects, Job.class).forEach(o -> pods.add(o.getSpec().getTemplate()));
    assertThat(pods).hasSize(4);
    for (PodTemplateSpec pod : pods) {
      PodSpec spec = pod.getSpec();
      String name = pod.getMetadata().getLabels().get("app.kubernetes.io/component");
      assertThat(spec.getAutomountServiceAccountToken()).as(name).isFalse();
      assertThat(spec.getSecurityContext().getRunAsNonRoot()).as(name).isTrue();
      assertThat(spec.getSecurityContext().getSeccompProfile().getType())
          .as(name)
          .isEqualTo("RuntimeDefault");
      for (Container c : spec.getContainers()) {
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as(name).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).as(name).contains("ALL");
        assertThat(option(c.getArgs(), "--client-config"))
            .isEqualTo("/etc/rewardstream-kafka/client.properties");
        // secrets only by reference: no literal value of a REWARDSTREAM_KAFKA_* variable
        assertThat(c.getEnv())
            .filteredOn(e -> e.getName().startsWith("REWARDSTREAM_KAFKA_"))
            .extracting(e -> e.getName())
            .containsExactlyInAnyOrder(
                "REWARDSTREAM_KAFKA_SASL_JAAS_CONFIG",
                "REWARDSTREAM_KAFKA_SSL_TRUSTSTORE_PASSWORD");
        c.getEnv().stream()
            .filter(e -> e.getName().startsWith("REWARDSTREAM_KAFKA_"))
            .forEach(
                e -> {
                  assertThat(e.getValue()).as(e.getName()).isNull();
                  assertThat(e.getValueFrom().getSecretKeyRef()).as(e.getName()).isNotNull();
                });
      }
    }
  }

  @Test
  void driftServesProbesAndMetricsOnThePortItsProbesAndScrapeUse() {
    Deployment drift =
        Manifests.ofType(renderedBase(), Deployment.class).stream()
            .filter(d -> d.getMetadata().getName().equals("rewardstream-drift"))
            .findFirst()
            .orElseThrow();
    Container c = drift.getSpec().getTemplate().getSpec().getContainers().get(0);
    String port = option(c.getArgs(), "--metrics-port");
    assertThat(option(c.getArgs(), "--metrics-bind")).isEqualTo("0.0.0.0");
    assertThat(c.getPorts())
        .anySatisfy(p -> assertThat(p.getContainerPort().toString()).isEqualTo(port));
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(drift.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/port", port)
        .containsEntry("prometheus.io/path", "/metrics");
  }

  @Test
  void kedaAuthenticatesLikeTheWorkersAndSpeaksKafka4() {
    List<Object> base = renderedBase();
    ScaledObject scaled = Manifests.ofType(base, ScaledObject.class).get(0);
    TriggerAuthentication auth = Manifests.ofType(base, TriggerAuthentication.class).get(0);
    ScaledObject.Trigger trigger = scaled.spec().triggers().get(0);
    assertThat(trigger.authenticationRef().name()).isEqualTo(auth.metadata().getName());
    assertThat(trigger.kafka().version()).isNotBlank();
    assertThat(auth.spec().secretTargetRef())
        .extracting(TriggerAuthentication.SecretTargetRef::parameter)
        .containsExactlyInAnyOrder("sasl", "username", "password", "tls", "ca");
    // the bootstrap KEDA reads is the one the workers use
    AppConfig config = Rendered.overlay("cpu").appConfig();
    assertThat(trigger.kafka().bootstrapServers()).isEqualTo(config.bootstrapServers());
    String clientProperties =
        Manifests.ofType(base, ConfigMap.class).stream()
            .filter(c -> c.getMetadata().getName().equals("rewardstream-kafka-client"))
            .findFirst()
            .orElseThrow()
            .getData()
            .get("client.properties");
    assertThat(clientProperties)
        .contains("security.protocol=SASL_SSL")
        .contains("sasl.mechanism=SCRAM-SHA-512")
        .doesNotContain("password");
  }

  @Test
  void theAlertRulesParseAndUseMetricsTheAppExports() throws Exception {
    PrometheusRule rule =
        (PrometheusRule) Manifests.typed(document("k8s/base/prometheusrule.yaml", 0));
    List<PrometheusRule.Rule> rules = rule.spec().groups().get(0).rules();
    assertThat(rules)
        .extracting(PrometheusRule.Rule::alert)
        .contains(
            "RewardStreamLagRising",
            "RewardStreamNoProgress",
            "RewardStreamFailedResults",
            "RewardStreamDeadLetters",
            "RewardStreamDriftAlerts");
    Path promtool = KustomizeOverlaysTest.onPath("promtool");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        promtool != null, "promtool is not installed (.ci/run installs Debian's prometheus)");
    // the spec as a plain Prometheus rules file
    var yaml = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper();
    Path file = Files.createTempFile("prometheusrule", ".yml");
    Files.writeString(
        file, yaml.writeValueAsString(document("k8s/base/prometheusrule.yaml", 0).get("spec")));
    Process check =
        new ProcessBuilder(promtool.toString(), "check", "rules", file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(check.getInputStream().readAllBytes());
    assertThat(check.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(check.exitValue()).as(out).isZero();
    assertThat(out).contains("SUCCESS: 5 rules found");
  }

  /** deploy/k8s/base rendered, every object typed. */
  private static List<Object> renderedBase() {
    return KustomizeRenderer.render(Manifests.deploy("k8s/base")).stream()
        .map(Manifests::typed)
        .toList();
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
