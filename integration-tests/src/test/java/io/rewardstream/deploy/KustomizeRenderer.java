package io.rewardstream.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders a kustomization the way {@code kustomize build} does, for the features deploy/k8s uses
 * and no others: {@code resources} (files and directories), {@code patches} given by {@code path}
 * (strategic-merge patches, matched by apiVersion, kind and name) and {@code images}.
 *
 * <p>The kustomization file is parsed strictly, so a feature this renderer does not implement
 * (configMapGenerator, namePrefix, a patch target, ...) fails the tests instead of being ignored.
 * Where {@code kubectl} is installed, the tests also compare this rendering with {@code kubectl
 * kustomize}.
 *
 * <p>Strategic merge, as for the fields used here: mappings merge key by key, a null value deletes
 * a key, lists whose items all carry a {@code name} (containers, env, volumes, volumeMounts, ports)
 * merge item by item on it, any other list (args, tolerations, a CRD's lists) is replaced.
 */
final class KustomizeRenderer {

  record Kustomization(
      String apiVersion,
      String kind,
      List<String> resources,
      List<Patch> patches,
      List<Image> images) {}

  record Patch(String path) {}

  record Image(String name, String newName, String newTag) {}

  private KustomizeRenderer() {}

  static List<ObjectNode> render(Path dir) {
    Kustomization k = kustomization(dir);
    List<ObjectNode> objects = new ArrayList<>();
    for (String resource : k.resources() == null ? List.<String>of() : k.resources()) {
      Path path = dir.resolve(resource).normalize();
      objects.addAll(Files.isDirectory(path) ? render(path) : Manifests.documents(path));
    }
    for (Patch patch : k.patches() == null ? List.<Patch>of() : k.patches()) {
      for (ObjectNode document : Manifests.documents(dir.resolve(patch.path()))) {
        merge(target(objects, document, patch.path()), document);
      }
    }
    for (Image image : k.images() == null ? List.<Image>of() : k.images()) {
      objects.forEach(object -> setImage(object, image));
    }
    return objects;
  }

  static Kustomization kustomization(Path dir) {
    try {
      return Manifests.STRICT.readValue(
          dir.resolve("kustomization.yaml").toFile(), Kustomization.class);
    } catch (IOException e) {
      throw new UncheckedIOException("kustomization in " + dir + " uses an unsupported field", e);
    }
  }

  private static ObjectNode target(List<ObjectNode> objects, ObjectNode patch, String file) {
    List<ObjectNode> matches =
        objects.stream()
            .filter(o -> o.path("apiVersion").equals(patch.path("apiVersion")))
            .filter(o -> o.path("kind").equals(patch.path("kind")))
            .filter(
                o -> o.path("metadata").path("name").equals(patch.path("metadata").path("name")))
            .toList();
    if (matches.size() != 1) {
      throw new IllegalArgumentException(file + " matches " + matches.size() + " objects, not 1");
    }
    return matches.get(0);
  }

  /** Strategic merge of {@code patch} into {@code target}, in place. */
  static void merge(ObjectNode target, ObjectNode patch) {
    for (Map.Entry<String, JsonNode> field : patch.properties()) {
      String key = field.getKey();
      JsonNode value = field.getValue();
      JsonNode current = target.get(key);
      if (key.startsWith("$")) {
        throw new IllegalArgumentException("patch directive " + key + " is not supported");
      } else if (value.isNull()) {
        target.remove(key);
      } else if (current instanceof ObjectNode object && value instanceof ObjectNode o) {
        merge(object, o);
      } else if (current instanceof ArrayNode list
          && value instanceof ArrayNode l
          && named(list)
          && named(l)) {
        mergeByName(list, l);
      } else {
        target.set(key, value.deepCopy());
      }
    }
  }

  private static boolean named(ArrayNode list) {
    for (JsonNode item : list) {
      if (!item.isObject() || !item.path("name").isTextual()) {
        return false;
      }
    }
    return true;
  }

  private static void mergeByName(ArrayNode target, ArrayNode patch) {
    for (JsonNode item : patch) {
      ObjectNode match = null;
      for (JsonNode existing : target) {
        if (existing.path("name").equals(item.path("name"))) {
          match = (ObjectNode) existing;
        }
      }
      if (match == null) {
        target.add(item.deepCopy());
      } else {
        merge(match, (ObjectNode) item);
      }
    }
  }

  private static void setImage(ObjectNode object, Image image) {
    JsonNode podSpec = object.path("spec").path("template").path("spec");
    for (String list : List.of("initContainers", "containers")) {
      for (JsonNode container : podSpec.path(list)) {
        String current = container.path("image").asText();
        if (imageName(current).equals(image.name())) {
          String name = image.newName() != null ? image.newName() : imageName(current);
          ((ObjectNode) container).put("image", name + ":" + image.newTag());
        }
      }
    }
  }

  /** The image reference without tag or digest. */
  static String imageName(String reference) {
    String name =
        reference.contains("@") ? reference.substring(0, reference.indexOf('@')) : reference;
    int colon = name.lastIndexOf(':');
    return colon > name.lastIndexOf('/') ? name.substring(0, colon) : name;
  }
}
