package io.rewardstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.rewardstream.app.AppConfig;
import io.rewardstream.schemas.Topics;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The cpu and gpu overlays, rendered (see {@link KustomizeRenderer}), checked against the
 * application: its own config class accepts app.properties, the ports, paths, topics and consumer
 * group agree across the manifests, and the GPU overlay asks for one GPU per worker.
 */
class KustomizeOverlaysTest {

  private static final Set<String> WORKER_TOPIC_KEYS =
      Set.of(AppConfig.TOPIC_INPUT, AppConfig.TOPIC_OUTPUT, AppConfig.TOPIC_DLQ);

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "gpu"})
  void appPropertiesAreAcceptedByTheApplication(String overlay) {
    Rendered rendered = Rendered.overlay(overlay);

    // Validates every key and refuses timeouts a batch cannot finish in
    AppConfig config = rendered.appConfig();
    config.streamsSettings();

    assertThat(config.inferenceDevice()).isEqualTo(overlay.equals("gpu") ? "cuda" : "cpu");
    assertThat(config.judgeDir()).isAbsolute();
  }

  @Test
  void bothOverlaysShareApplicationIdAndTopicNames() {
    Rendered cpu = Rendered.overlay("cpu");
    Rendered gpu = Rendered.overlay("gpu");

    for (String key :
        Stream.concat(Stream.of(AppConfig.APPLICATION_ID), WORKER_TOPIC_KEYS.stream()).toList()) {
      assertThat(gpu.appProperties().getProperty(key))
          .as(key)
          .isNotBlank()
          .isEqualTo(cpu.appProperties().getProperty(key));
    }
    assertThat(gpu.topics().keySet()).isEqualTo(cpu.topics().keySet());
    assertThat(gpu.scaledObject().spec().triggers().get(0).kafka().consumerGroup())
        .isEqualTo(cpu.scaledObject().spec().triggers().get(0).kafka().consumerGroup());
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "gpu"})
  void topicsAreDeclaredWithPartitionsForTheMostWorkers(String overlay) {
    Rendered rendered = Rendered.overlay(overlay);
    AppConfig config = rendered.appConfig();
    Map<String, KafkaTopic> topics = rendered.topics();

    // Every topic of the application's registry is declared, and nothing else
    assertThat(topics.keySet())
        .isEqualTo(Topics.all().stream().map(t -> t.name()).collect(Collectors.toSet()));
    assertThat(topics).containsKeys(config.inputTopic(), config.outputTopic(), config.dlqTopic());

    // One rollout's input, reward and dead letter share a partition number
    int partitions = topics.get(config.inputTopic()).spec().partitions();
    assertThat(topics.get(config.outputTopic()).spec().partitions()).isEqualTo(partitions);
    assertThat(topics.get(config.dlqTopic()).spec().partitions()).isEqualTo(partitions);

    // KEDA scales on this application's lag, up to the partition count and no further
    ScaledObject scaled = rendered.scaledObject();
    ScaledObject.KafkaMetadata kafka = scaled.spec().triggers().get(0).kafka();
    assertThat(scaled.spec().triggers())
        .singleElement()
        .extracting(t -> t.type())
        .isEqualTo("kafka");
    assertThat(kafka.consumerGroup()).isEqualTo(config.applicationId());
    assertThat(kafka.topic()).isEqualTo(config.inputTopic());
    assertThat(kafka.bootstrapServers()).isEqualTo(config.bootstrapServers());
    assertThat(Integer.parseInt(kafka.lagThreshold())).isPositive();
    assertThat(kafka.allowIdleConsumers()).isEqualTo("false");
    assertThat(scaled.spec().maxReplicaCount()).isEqualTo(partitions);
    assertThat(scaled.spec().minReplicaCount()).isBetween(1, partitions);
    assertThat(scaled.spec().scaleTargetRef().kind()).isEqualTo("StatefulSet");
    assertThat(scaled.spec().scaleTargetRef().name())
        .isEqualTo(rendered.statefulSet().getMetadata().getName());
    // KEDA owns the replica count: the manifest must not set one for `kubectl apply` to reset
    assertThat(rendered.statefulSet().getSpec().getReplicas()).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "gpu"})
  void workerMountsWhatTheConfigPointsAt(String overlay) {
    Rendered rendered = Rendered.overlay(overlay);
    AppConfig config = rendered.appConfig();
    StatefulSet statefulSet = rendered.statefulSet();
    PodSpec pod = rendered.podSpec();
    Container worker = rendered.worker();
    Map<String, VolumeMount> mounts =
        worker.getVolumeMounts().stream()
            .collect(Collectors.toMap(VolumeMount::getMountPath, m -> m));
    Map<String, Volume> volumes =
        pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, v -> v));

    // --config FILE is in the mounted ConfigMap
    List<String> args = worker.getArgs();
    assertThat(args).startsWith("run", "--config");
    Path configFile = Path.of(args.get(args.indexOf("--config") + 1));
    VolumeMount configMount = mounts.get(configFile.getParent().toString());
    assertThat(configMount).isNotNull();
    assertThat(volumes.get(configMount.getName()).getConfigMap().getName())
        .isEqualTo(rendered.configMap().getMetadata().getName());
    assertThat(configFile.getFileName().toString()).isIn(rendered.configMap().getData().keySet());

    // judge.dir is the read-only model volume, not baked into the image
    VolumeMount judge = mounts.get(config.judgeDir().toString());
    assertThat(judge).isNotNull();
    assertThat(judge.getReadOnly()).isTrue();
    assertThat(volumes.get(judge.getName()).getPersistentVolumeClaim().getClaimName())
        .isEqualTo("rewardstream-judge");

    // state.dir is on the per-pod claim, so a restarted worker keeps its stores
    VolumeMount state = mounts.get(config.stateDir());
    assertThat(state).isNotNull();
    assertThat(statefulSet.getSpec().getVolumeClaimTemplates())
        .extracting(c -> c.getMetadata().getName())
        .contains(state.getName());

    // The root filesystem is read-only: DJL's cache must be on a mounted volume
    assertThat(worker.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    String djlCache =
        worker.getEnv().stream()
            .filter(e -> e.getName().equals("DJL_CACHE_DIR"))
            .map(EnvVar::getValue)
            .findFirst()
            .orElseThrow();
    assertThat(mounts.keySet()).anyMatch(m -> djlCache.startsWith(m + "/"));
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "gpu"})
  void metricsPortProbesAndScrapeAnnotationsAgree(String overlay) {
    Rendered rendered = Rendered.overlay(overlay);
    int metricsPort = Integer.parseInt(rendered.appProperties().getProperty("metrics.port"));
    Container worker = rendered.worker();
    ContainerPort port =
        worker.getPorts().stream()
            .filter(p -> "metrics".equals(p.getName()))
            .findFirst()
            .orElseThrow();
    Map<String, String> annotations =
        rendered.statefulSet().getSpec().getTemplate().getMetadata().getAnnotations();

    assertThat(port.getContainerPort()).isEqualTo(metricsPort);
    assertThat(annotations)
        .containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", Integer.toString(metricsPort))
        .containsEntry("prometheus.io/path", "/metrics");
    for (var probe :
        List.of(worker.getLivenessProbe(), worker.getReadinessProbe(), worker.getStartupProbe())) {
      assertThat(probe.getHttpGet().getPath()).isEqualTo("/healthz");
      assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("metrics");
    }
    assertThat(
            Manifests.named(
                    rendered.objects(),
                    io.fabric8.kubernetes.api.model.Service.class,
                    "rewardstream")
                .getSpec()
                .getPorts())
        .anySatisfy(p -> assertThat(p.getPort()).isEqualTo(metricsPort));
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "gpu"})
  void terminationGraceOutlastsOneBatch(String overlay) {
    Rendered rendered = Rendered.overlay(overlay);
    AppConfig config = rendered.appConfig();
    // RewardStreamApp.close waits max(30 s, 2 x batch budget: a batch and its retry) for Kafka
    // Streams to close; the pod
    // needs that plus time to commit, leave the group and exit before the kubelet's SIGKILL.
    long closeWaitSeconds = Math.max(30, (config.transactionWorkMs() + 999) / 1000);
    assertThat(rendered.podSpec().getTerminationGracePeriodSeconds())
        .isGreaterThanOrEqualTo(closeWaitSeconds + 20);
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "gpu"})
  void driftMonitorRunsApartWithItsOwnApplicationId(String overlay) {
    Rendered rendered = Rendered.overlay(overlay);
    AppConfig config = rendered.appConfig();
    Deployment drift = deployment(rendered, "rewardstream-drift");
    Container container = drift.getSpec().getTemplate().getSpec().getContainers().get(0);
    List<String> args = container.getArgs();

    assertThat(args.get(0)).isEqualTo("drift");
    assertThat(option(args, "--bootstrap-servers")).isEqualTo(config.bootstrapServers());
    // its own consumer group and state: never a share of the scoring workers' partitions
    assertThat(option(args, "--application-id")).isNotEqualTo(config.applicationId());
    assertThat(option(args, "--rewards-topic")).isEqualTo(config.outputTopic());
    assertThat(rendered.topics())
        .containsKeys(
            option(args, "--stats-topic"),
            option(args, "--alerts-topic"),
            option(args, "--group-stats-topic"));
    assertThat(option(args, "--group-rewards-topic")).isEqualTo(config.groups().outputTopic());
    assertThat(option(args, "--config")).startsWith("/etc/rewardstream/");
    assertThat(container.getImage()).isEqualTo(rendered.worker().getImage());
    assertThat(container.getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "gpu"})
  void gatewayServesTheWorkersTopicsBehindAService(String overlay) {
    Rendered rendered = Rendered.overlay(overlay);
    AppConfig config = rendered.appConfig();
    Deployment gateway = deployment(rendered, "rewardstream-gateway");
    Container container = gateway.getSpec().getTemplate().getSpec().getContainers().get(0);
    List<String> args = container.getArgs();

    assertThat(args.get(0)).isEqualTo("gateway");
    assertThat(option(args, "--bootstrap-servers")).isEqualTo(config.bootstrapServers());
    // the same topics the workers read and write, or no answer ever comes
    assertThat(option(args, "--rollouts-topic")).isEqualTo(config.inputTopic());
    assertThat(option(args, "--rewards-topic")).isEqualTo(config.outputTopic());
    assertThat(option(args, "--dlq-topic")).isEqualTo(config.dlqTopic());
    assertThat(option(args, "--groups-topic")).isEqualTo(config.groups().inputTopic());
    assertThat(option(args, "--group-rewards-topic")).isEqualTo(config.groups().outputTopic());
    assertThat(rendered.topics())
        .containsKeys(
            option(args, "--rollouts-topic"),
            option(args, "--rewards-topic"),
            option(args, "--dlq-topic"),
            option(args, "--groups-topic"),
            option(args, "--group-rewards-topic"));
    // reachable from other pods, on the port the Service and the probes use
    assertThat(option(args, "--bind")).isEqualTo("0.0.0.0");
    int port = Integer.parseInt(option(args, "--port"));
    assertThat(container.getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getContainerPort()).isEqualTo(port);
              assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal())
                  .isEqualTo(p.getName());
            });
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    io.fabric8.kubernetes.api.model.Service service =
        Manifests.named(
            rendered.objects(),
            io.fabric8.kubernetes.api.model.Service.class,
            "rewardstream-gateway");
    assertThat(service.getSpec().getSelector())
        .isEqualTo(gateway.getSpec().getTemplate().getMetadata().getLabels());
    assertThat(service.getSpec().getPorts().get(0).getTargetPort().getStrVal())
        .isEqualTo(container.getPorts().get(0).getName());
    assertThat(container.getImage()).isEqualTo(rendered.worker().getImage());
    assertThat(container.getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
  }

  private static Deployment deployment(Rendered rendered, String name) {
    return Manifests.named(rendered.objects(), Deployment.class, name);
  }

  private static String option(List<String> args, String name) {
    int i = args.indexOf(name);
    assertThat(i).as(name).isNotNegative();
    return args.get(i + 1);
  }

  @Test
  void gpuOverlayGivesEachWorkerOneGpu() {
    Rendered gpu = Rendered.overlay("gpu");
    Container worker = gpu.worker();
    PodSpec pod = gpu.podSpec();

    assertThat(worker.getResources().getLimits())
        .containsEntry("nvidia.com/gpu", new Quantity("1"));
    assertThat(worker.getResources().getRequests())
        .containsEntry("nvidia.com/gpu", new Quantity("1"));
    assertThat(pod.getNodeSelector()).isNotEmpty();
    assertThat(pod.getTolerations()).extracting(Toleration::getKey).contains("nvidia.com/gpu");
    assertThat(gpu.appProperties().getProperty(AppConfig.INFERENCE_DEVICE)).isEqualTo("cuda");
    assertThat(worker.getImage()).endsWith("-cuda");
    // the base's settings survive the patch
    assertThat(worker.getVolumeMounts())
        .hasSize(Rendered.overlay("cpu").worker().getVolumeMounts().size());
    assertThat(worker.getResources().getRequests()).containsKey("cpu");
  }

  @Test
  void cpuOverlayAsksForNoGpu() {
    Rendered cpu = Rendered.overlay("cpu");
    String all = cpu.documents().toString();

    assertThat(all).doesNotContain("nvidia.com/gpu");
    assertThat(cpu.worker().getImage()).doesNotContain("cuda").contains(":");
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "gpu"})
  void rendererAgreesWithKubectlKustomize(String overlay) throws Exception {
    Path kubectl = onPath("kubectl");
    assumeTrue(kubectl != null, "kubectl is not installed: only the built-in renderer was checked");
    Path dir = Manifests.deploy("k8s/overlays/" + overlay);

    Process process =
        new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
            .redirectErrorStream(false)
            .start();
    byte[] out = process.getInputStream().readAllBytes();
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(err).isZero();
    Path rendered = Files.createTempFile("kustomize-" + overlay, ".yaml");
    Files.write(rendered, out);

    assertThat(sorted(Manifests.documents(rendered)))
        .isEqualTo(sorted(Rendered.overlay(overlay).documents()));
  }

  private static List<JsonNode> sorted(List<ObjectNode> documents) {
    return documents.stream()
        .map(JsonNode.class::cast)
        .sorted(
            Comparator.comparing(
                (JsonNode d) ->
                    d.path("kind").asText() + "/" + d.path("metadata").path("name").asText()))
        .toList();
  }

  static Path onPath(String program) throws IOException {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
