package io.rewardstream.inference;

/**
 * How to run the model.
 *
 * @param device CPU (default) or CUDA. The CUDA path needs the {@code gpu} Maven profile
 *     (onnxruntime_gpu) and a CUDA machine; it is untested in this project's CI.
 * @param intraOpThreads threads ONNX Runtime uses inside one operator; 0 = ORT's default (all
 *     cores)
 * @param cudaDeviceId GPU ordinal when device is CUDA
 */
public record InferenceOptions(Device device, int intraOpThreads, int cudaDeviceId) {

  /** Where the graph runs. */
  public enum Device {
    CPU,
    CUDA
  }

  public InferenceOptions {
    if (device == null) {
      throw new IllegalArgumentException("inference device must be cpu or cuda, got null");
    }
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException(
          "intra-op threads must be >= 0 (0 = ONNX Runtime default), got " + intraOpThreads);
    }
  }

  /** CPU with ONNX Runtime's default thread count. */
  public static InferenceOptions cpu() {
    return new InferenceOptions(Device.CPU, 0, 0);
  }
}
