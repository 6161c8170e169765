package io.rewardstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Jib configuration in deploy/image/pom.xml for each variant: the entrypoint is the launcher's
 * java line, the content is the runnable jar and its lib/, only the -demo image carries a model,
 * and what the image declares (port, user, arguments, tags) is what the Kubernetes manifests and
 * compose expect. Building the image tar itself needs a base image from a registry: see
 * docs/deploy.md.
 */
class ImageConfigTest {

  private static final List<String> ENTRYPOINT =
      List.of(
          "/opt/java/openjdk/bin/java",
          "-Dai.djl.offline=true",
          "-XX:MaxRAMPercentage=50",
          "-XX:+ExitOnOutOfMemoryError",
          "-jar",
          "/app/rewardstream.jar");

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "cuda", "demo"})
  void entrypointRunsTheJarOfflineAsANonRootUser(String variant) {
    JibConfig jib = JibConfig.variant(variant);

    assertThat(jib.entrypoint()).isEqualTo(ENTRYPOINT);
    assertThat(jib.environment()).containsKey("DJL_CACHE_DIR");
    assertThat(jib.environment().get("DJL_CACHE_DIR")).startsWith("/tmp/");
    // the uid has no passwd entry (user.home is "?"): caches must not depend on it
    assertThat(jib.environment().get("XDG_CACHE_HOME")).startsWith("/tmp/");
    assertThat(jib.user()).matches("[1-9]\\d*:[1-9]\\d*");
    assertThat(jib.workingDirectory()).isEqualTo("/app");
    assertThat(jib.ports()).containsExactly("8080");
    assertThat(jib.fromImage()).matches(".+:[\\w.-]+").doesNotEndWith(":latest");
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "cuda", "demo"})
  void imageHoldsTheRunnableJarAndItsLibraries(String variant) {
    JibConfig jib = JibConfig.variant(variant);
    Path target = Manifests.repoRoot().resolve("streams-app/target");

    assertThat(jib.extraPaths())
        .anySatisfy(
            p -> {
              assertThat(p.from()).isEqualTo(target);
              assertThat(p.into()).isEqualTo("/app");
              assertThat(p.includes()).containsExactlyInAnyOrder("rewardstream.jar", "lib/**");
            });
    // the jar's manifest class path is lib/..., relative to the jar: both end up under /app
    assertThat(ENTRYPOINT).contains("/app/rewardstream.jar");
  }

  @Test
  void onlyTheDemoImageCarriesAModel() {
    assertThat(JibConfig.variant("cpu").extraPaths()).hasSize(1);
    assertThat(JibConfig.variant("cuda").extraPaths()).hasSize(1);

    JibConfig demo = JibConfig.variant("demo");
    JibConfig.ExtraPath model =
        demo.extraPaths().stream()
            .filter(p -> p.into().startsWith("/app/models/"))
            .findFirst()
            .orElseThrow();
    assertThat(model.from()).isEqualTo(Manifests.repoRoot().resolve("models/judge-tiny"));
    assertThat(model.into()).isEqualTo("/app/models/judge-tiny");
    // the model contract: the three files the judge opens, all present in the repository
    assertThat(model.includes()).contains("model.onnx", "tokenizer.json", "judge.json");
    for (String file : List.of("model.onnx", "tokenizer.json", "judge.json")) {
      assertThat(Files.isRegularFile(model.from().resolve(file))).as(file).isTrue();
    }
    assertThat(demo.args()).containsExactly("demo");
  }

  @Test
  void tagsAndBasesPerVariant() {
    String registry = JibConfig.property("image.registry");
    String tag = JibConfig.property("image.tag");

    assertThat(JibConfig.variant("cpu").toImage()).isEqualTo(registry + "/rewardstream:" + tag);
    assertThat(JibConfig.variant("cuda").toImage())
        .isEqualTo(registry + "/rewardstream:" + tag + "-cuda");
    assertThat(JibConfig.variant("demo").toImage())
        .isEqualTo(registry + "/rewardstream:" + tag + "-demo");
    assertThat(JibConfig.variant("cpu").fromImage()).startsWith("eclipse-temurin:17-jre");
    assertThat(JibConfig.variant("cuda").fromImage()).contains("cuda").contains("cudnn");
    assertThat(Manifests.deploy("image/cuda-base/Dockerfile")).exists();
  }

  @ParameterizedTest
  @ValueSource(strings = {"cpu", "gpu"})
  void kubernetesRunsTheImageOfItsOverlayAsTheImagesUser(String overlay) {
    Rendered rendered = Rendered.overlay(overlay);
    JibConfig jib = JibConfig.variant(overlay.equals("gpu") ? "cuda" : "cpu");
    Container worker = rendered.worker();
    PodSecurityContext security = rendered.podSpec().getSecurityContext();

    assertThat(worker.getImage()).isEqualTo(jib.toImage());
    // the image's own command, plus the Kafka client settings mounted from the ConfigMap
    assertThat(worker.getArgs())
        .containsExactlyElementsOf(
            java.util.stream.Stream.concat(
                    jib.args().stream(),
                    java.util.stream.Stream.of(
                        "--client-config", "/etc/rewardstream-kafka/client.properties"))
                .toList());
    assertThat(security.getRunAsUser() + ":" + security.getRunAsGroup()).isEqualTo(jib.user());
    assertThat(security.getFsGroup()).isEqualTo(security.getRunAsGroup());
    assertThat(worker.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("DJL_CACHE_DIR");
              assertThat(e.getValue()).isEqualTo(jib.environment().get("DJL_CACHE_DIR"));
            });
    assertThat(worker.getPorts())
        .anySatisfy(p -> assertThat(p.getContainerPort().toString()).isIn(jib.ports()));
  }
}
