package io.rewardstream.inference;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A Hugging Face {@code tokenizer.json} read by DJL's tokenizers binding.
 *
 * <p>DJL reports telemetry to a cloud metadata address unless it is offline, and unpacks its native
 * library into a cache dir; both are settled here, in code, before the first DJL class loads, so no
 * entry point can forget them (network rule in README).
 */
public final class TextTokenizer implements AutoCloseable {

  static {
    System.setProperty("ai.djl.offline", "true");
  }

  private final HuggingFaceTokenizer tokenizer;

  private TextTokenizer(HuggingFaceTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  /**
   * Loads {@code tokenizer.json} (or a gzipped {@code tokenizer.json.gz}); special tokens are never
   * added implicitly.
   */
  public static TextTokenizer load(Path tokenizerJson) {
    pinDjlCacheDir(tokenizerJson.toAbsolutePath().getParent());
    // no implicit specials; no truncation (the engine checks the context itself)
    Map<String, String> options =
        Map.of("addSpecialTokens", "false", "truncation", "false", "maxLength", "-1");
    try {
      if (tokenizerJson.getFileName().toString().endsWith(".gz")) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(tokenizerJson))) {
          return new TextTokenizer(HuggingFaceTokenizer.newInstance(in, options));
        }
      }
      return new TextTokenizer(HuggingFaceTokenizer.newInstance(tokenizerJson, options));
    } catch (IOException | RuntimeException e) {
      throw new InferenceException("cannot load tokenizer " + tokenizerJson + ": " + e, e);
    }
  }

  private static void pinDjlCacheDir(Path modelDir) {
    if (System.getProperty("DJL_CACHE_DIR") != null || System.getenv("DJL_CACHE_DIR") != null) {
      return;
    }
    Path dir = modelDir.resolve(".djl-cache");
    if (!Files.isWritable(modelDir)) {
      dir = Path.of(System.getProperty("java.io.tmpdir"), "rewardstream-djl-cache");
    }
    System.setProperty("DJL_CACHE_DIR", dir.toString());
  }

  /** Token ids of the text, without special tokens. */
  public int[] encode(String text) {
    long[] ids = tokenizer.encode(text, false, false).getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  /** Text of the ids; special tokens skipped. */
  public String decode(int[] ids) {
    long[] longs = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      longs[i] = ids[i];
    }
    return tokenizer.decode(longs, true);
  }

  /**
   * The text of every id on its own, used to watch for stop strings without calling the tokenizer
   * per generated token. A byte-level token that is part of a multi-byte character decodes to a
   * replacement character here, so stop strings should be ASCII (they are for every template we
   * ship); the final text is decoded whole, correctly.
   */
  public String[] pieces(int vocabSize) {
    String[] pieces = new String[vocabSize];
    for (int id = 0; id < vocabSize; id++) {
      pieces[id] = tokenizer.decode(new long[] {id}, false);
    }
    return pieces;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
