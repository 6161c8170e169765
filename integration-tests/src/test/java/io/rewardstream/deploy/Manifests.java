package io.rewardstream.deploy;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reading deploy/ files: YAML documents, and typed Kubernetes objects with unknown fields rejected.
 *
 * <p>fabric8's model classes accept any unknown field into {@code additionalProperties} (a Jackson
 * any-setter), so {@code FAIL_ON_UNKNOWN_PROPERTIES} alone would let a typo such as {@code
 * terminationGracePeriod} through. {@link #STRICT} removes every any-setter, so an unknown field
 * fails with its path, exactly as the API server's strict field validation would.
 */
final class Manifests {

  static final YAMLMapper YAML = new YAMLMapper();

  static final ObjectMapper STRICT =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .registerModule(
              new SimpleModule("no-any-setter")
                  .setDeserializerModifier(
                      new BeanDeserializerModifier() {
                        @Override
                        public BeanDeserializerBuilder updateBuilder(
                            DeserializationConfig config,
                            BeanDescription description,
                            BeanDeserializerBuilder builder) {
                          builder.setAnySetter(null);
                          builder.setIgnoreUnknownProperties(false);
                          return builder;
                        }
                      }));

  /** apiVersion/kind of every object deploy/k8s may hold, and the type it must parse into. */
  static final Map<String, Class<?>> TYPES =
      Map.ofEntries(
          Map.entry("v1/ConfigMap", ConfigMap.class),
          Map.entry("v1/Secret", Secret.class),
          Map.entry("v1/Service", Service.class),
          Map.entry("v1/PersistentVolumeClaim", PersistentVolumeClaim.class),
          Map.entry("apps/v1/StatefulSet", StatefulSet.class),
          Map.entry("apps/v1/Deployment", Deployment.class),
          Map.entry("batch/v1/Job", Job.class),
          Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
          Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
          // Strimzi 0.49+ (kafka.strimzi.io/v1); v1beta2 is deprecated (docs/deploy.md)
          Map.entry("kafka.strimzi.io/v1/KafkaTopic", KafkaTopic.class),
          Map.entry("kafka.strimzi.io/v1/KafkaUser", KafkaUser.class),
          Map.entry("keda.sh/v1alpha1/ScaledObject", ScaledObject.class),
          Map.entry("keda.sh/v1alpha1/TriggerAuthentication", TriggerAuthentication.class),
          Map.entry("monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class));

  private Manifests() {}

  /** The repository root: the first directory up from the working directory holding deploy/. */
  static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("deploy/k8s"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no deploy/k8s above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  static Path deploy(String relative) {
    return repoRoot().resolve("deploy").resolve(relative);
  }

  /** Every YAML document of a file (--- separated), empty ones skipped. */
  static List<ObjectNode> documents(Path file) {
    try (var parser = YAML.getFactory().createParser(file.toFile())) {
      List<ObjectNode> documents = new ArrayList<>();
      var values = YAML.readValues(parser, JsonNode.class);
      while (values.hasNext()) {
        JsonNode node = values.next();
        if (node != null && !node.isNull() && !node.isMissingNode()) {
          if (!node.isObject()) {
            throw new IllegalArgumentException(file + ": a document is not a mapping: " + node);
          }
          documents.add((ObjectNode) node);
        }
      }
      return documents;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** The typed object for a document, by its apiVersion/kind; unknown kinds and fields fail. */
  static Object typed(JsonNode document) {
    String type = document.path("apiVersion").asText() + "/" + document.path("kind").asText();
    Class<?> cls = TYPES.get(type);
    if (cls == null) {
      throw new IllegalArgumentException("unexpected object " + type + " in deploy/k8s");
    }
    return typed(document, cls);
  }

  static <T> T typed(JsonNode document, Class<T> cls) {
    try {
      return STRICT.treeToValue(document, cls);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          cls.getSimpleName() + " " + document.path("metadata").path("name") + ": " + e, e);
    }
  }

  static <T> List<T> ofType(List<?> objects, Class<T> cls) {
    return objects.stream().filter(cls::isInstance).map(cls::cast).toList();
  }

  static <T> T single(List<?> objects, Class<T> cls) {
    List<T> all = ofType(objects, cls);
    if (all.size() != 1) {
      throw new AssertionError("expected one " + cls.getSimpleName() + ", found " + all.size());
    }
    return all.get(0);
  }

  /** The one object of this type whose metadata.name is {@code name}. */
  static <T extends io.fabric8.kubernetes.api.model.HasMetadata> T named(
      List<?> objects, Class<T> cls, String name) {
    return ofType(objects, cls).stream()
        .filter(o -> o.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + cls.getSimpleName() + " named " + name));
  }

  static Properties properties(String text) {
    Properties properties = new Properties();
    try {
      properties.load(new StringReader(text));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties;
  }
}
