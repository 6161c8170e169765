package io.rewardstream.inference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;

/**
 * How the engine opens an ONNX Runtime session: one place, so a diagnostic that needs a session of
 * its own (the ORT profile benchmark) measures the settings the engine really runs with.
 */
public final class OrtSessions {

  private OrtSessions() {}

  /**
   * The engine's session options for {@code options}: full graph optimisation, no spinning, the
   * thread count, and the CUDA provider when asked for. The caller owns (closes) the result and may
   * add entries to it (the ORT profile benchmark adds the profiler and its variants).
   *
   * @param options device and threads
   * @return new session options
   * @throws OrtException if ONNX Runtime refuses a setting
   * @throws InferenceException if CUDA is asked for and this build has no CUDA provider
   */
  public static OrtSession.SessionOptions options(InferenceOptions options) throws OrtException {
    OrtSession.SessionOptions so = new OrtSession.SessionOptions();
    so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    // ORT's intra-op threads spin between kernels by default; beside Kafka's own threads on a
    // small worker that spinning steals the cores the next kernel needs (measured under load:
    // session.run per decode step 16.7 -> 4.6 ms at batch 8, BENCHMARKS.md "ort-profile").
    so.addConfigEntry("session.intra_op.allow_spinning", "0");
    if (options.intraOpThreads() > 0) {
      so.setIntraOpNumThreads(options.intraOpThreads());
    }
    if (options.device() == InferenceOptions.Device.CUDA) {
      if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
        so.close();
        throw new InferenceException(
            "inference.device=cuda, but this ONNX Runtime build has no CUDA execution provider"
                + " (available: "
                + OrtEnvironment.getAvailableProviders()
                + "). Build with `mvn -Pgpu` (onnxruntime_gpu) on a machine with CUDA 12 and"
                + " cuDNN 9, or set inference.device=cpu.");
      }
      so.addCUDA(options.cudaDeviceId());
    }
    return so;
  }
}
