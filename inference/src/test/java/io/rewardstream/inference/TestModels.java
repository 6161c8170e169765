package io.rewardstream.inference;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the bundled judge model from wherever the test runs (module dir or repo root). */
public final class TestModels {
  private TestModels() {}

  /** {@code models/judge-tiny}, the real trained judge committed with the repo. */
  public static Path judgeTiny() {
    return find("models/judge-tiny");
  }

  /**
   * {@code models/qwen3/tiny-random}: Qwen3's architecture, tokenizer and chat template with random
   * weights (models/qwen3/make_qwen3.py), for the real-model-family path.
   */
  public static Path qwen3TinyRandom() {
    return find("models/qwen3/tiny-random");
  }

  /** A file under {@code src/test/resources/qwen3/} of the inference module: the peer fixtures. */
  public static Path qwen3Fixture(String name) {
    return find("inference/src/test/resources/qwen3").resolve(name);
  }

  private static Path find(String relative) {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path candidate = dir.resolve(relative);
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
  }
}
