package io.rewardstream.inference;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A decoder-only language model directory ({@code model.onnx}, {@code tokenizer.json}, {@code
 * judge.json}) loaded for generation: the engine's public face.
 *
 * <p>Knows nothing of judging: it turns prompts into continuations with their log-probs. One
 * instance per device, long-lived; close it after the stream that uses it has closed. Not
 * thread-safe.
 */
public final class LanguageModel implements AutoCloseable {

  public static final String MODEL_FILE = "model.onnx";
  public static final String TOKENIZER_FILE = "tokenizer.json";

  private final Path dir;
  private final ModelConfig config;
  private final TextTokenizer tokenizer;
  private final OnnxCausalLm lm;
  private final Generator generator;
  private final int maxBatchRows;
  private final String modelHash;

  private LanguageModel(
      Path dir,
      ModelConfig config,
      TextTokenizer tokenizer,
      OnnxCausalLm lm,
      int vocab,
      int maxBatchRows) {
    this.dir = dir;
    this.config = config;
    this.tokenizer = tokenizer;
    this.lm = lm;
    this.generator = new Generator(lm, config, tokenizer, vocab);
    this.maxBatchRows = maxBatchRows;
    this.modelHash = sha256(dir.resolve(MODEL_FILE));
  }

  /**
   * Loads a model directory.
   *
   * @throws InferenceException naming the missing file or the bad ONNX input
   */
  public static LanguageModel load(Path dir, InferenceOptions options) {
    dir = checkDir(dir);
    Path onnx = dir.resolve(MODEL_FILE);
    Path tokenizerJson = tokenizerFile(dir);
    Path judgeJson = dir.resolve(ModelConfig.FILE_NAME);
    ModelConfig config = ModelConfig.read(judgeJson, new ObjectMapper());
    TextTokenizer tokenizer = TextTokenizer.load(tokenizerJson);
    OnnxCausalLm lm;
    try {
      lm = OnnxCausalLm.load(onnx, options);
    } catch (RuntimeException e) {
      tokenizer.close();
      throw e;
    }
    int vocab = probeVocab(lm, config);
    return new LanguageModel(dir, config, tokenizer, lm, vocab, options.maxBatchRows());
  }

  /**
   * The model directory, resolved as {@link #load} resolves it, once its files are there: a cheap
   * check for start-up, before anything slow (loading the model, contacting Kafka).
   *
   * @throws InferenceException naming the missing directory or file
   */
  public static Path checkDir(Path dir) {
    dir = resolveDir(dir);
    if (!Files.isDirectory(dir)) {
      throw new InferenceException(
          "model directory "
              + dir.toAbsolutePath()
              + " does not exist; point --judge-dir / judge.dir at a directory with model.onnx,"
              + " tokenizer.json and judge.json (the bundled one is models/judge-tiny)");
    }
    ModelConfig.requireFile(dir, MODEL_FILE, "the ONNX graph");
    tokenizerFile(dir);
    ModelConfig.requireFile(dir, ModelConfig.FILE_NAME, "ids and templates");
    return dir;
  }

  /**
   * {@code tokenizer.json}, or {@code tokenizer.json.gz} where a large vocabulary is kept
   * compressed (Qwen3's is 11 MB plain, 2 MB gzipped).
   */
  static Path tokenizerFile(Path dir) {
    Path gz = dir.resolve(TOKENIZER_FILE + ".gz");
    if (!Files.isRegularFile(dir.resolve(TOKENIZER_FILE)) && Files.isRegularFile(gz)) {
      return gz;
    }
    return ModelConfig.requireFile(dir, TOKENIZER_FILE, "the Hugging Face tokenizer");
  }

  /**
   * A relative model directory that does not exist from the working directory is looked up under
   * {@code $REWARDSTREAM_HOME} (set by the {@code ./rewardstream} launcher to the repository), so
   * the bundled {@code models/judge-tiny} default works from any directory.
   */
  public static Path resolveDir(Path dir) {
    String home = System.getenv("REWARDSTREAM_HOME");
    if (dir.isAbsolute() || Files.isDirectory(dir) || home == null) {
      return dir;
    }
    Path underHome = Path.of(home).resolve(dir);
    return Files.isDirectory(underHome) ? underHome : dir;
  }

  /** The vocabulary size, from one tiny forward pass (the logits axis may be symbolic). */
  private static int probeVocab(OnnxCausalLm lm, ModelConfig config) {
    long[] one = {Math.max(config.bosTokenId(), 0)};
    try (KvCache empty = KvCache.empty(lm.env(), lm.layout(), 1)) {
      OnnxCausalLm.Step step = lm.forward(one, 1, 1, new long[] {1}, new long[] {0}, empty, false);
      step.cache().close();
      return step.logits().length;
    }
  }

  public ModelConfig config() {
    return config;
  }

  public Path dir() {
    return dir;
  }

  /** SHA-256 (hex) of model.onnx: which weights produced a result. */
  public String modelHash() {
    return modelHash;
  }

  /** Prompt ids for the text: BOS first when the model wants it. */
  public int[] encodePrompt(String text) {
    int[] ids = tokenizer.encode(text);
    if (!config.addBos() || config.bosTokenId() < 0) {
      return ids;
    }
    int[] withBos = new int[ids.length + 1];
    withBos[0] = config.bosTokenId();
    System.arraycopy(ids, 0, withBos, 1, ids.length);
    return withBos;
  }

  /** Token ids of plain text, no special tokens. */
  public int[] encode(String text) {
    return tokenizer.encode(text);
  }

  public String decode(int[] ids) {
    return tokenizer.decode(ids);
  }

  /**
   * Generates every request, sharing each prompt's prefill among its samples, at most {@code max
   * batch rows} sequences at a time (continuous batching).
   *
   * @return per request, its generations in sample order
   */
  public List<List<Generation>> generate(List<GenerationRequest> requests) {
    return generator.generate(requests, maxBatchRows);
  }

  /**
   * A continuous batch to submit work to, including work that depends on earlier results (submit it
   * from a completion callback): see {@link GenerationQueue}.
   */
  public GenerationQueue queue() {
    return new GenerationQueue(generator.new Queue(maxBatchRows));
  }

  /** As {@link #queue()} with another row limit (0 = none): benchmarks compare schedules. */
  public GenerationQueue queue(int maxRows) {
    return new GenerationQueue(generator.new Queue(maxRows));
  }

  private static String sha256(Path file) {
    try (InputStream in =
        new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new InferenceException("cannot hash " + file, e);
    }
  }

  @Override
  public void close() {
    try {
      lm.close();
    } finally {
      tokenizer.close();
    }
  }
}
