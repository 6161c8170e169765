package io.rewardstream.inference;

/**
 * How to run the model.
 *
 * @param device CPU (default) or CUDA. The CUDA path needs the {@code gpu} Maven profile
 *     (onnxruntime_gpu) and a CUDA machine; it is untested in this project's CI.
 * @param intraOpThreads threads ONNX Runtime uses inside one operator; 0 = ORT's default (all
 *     cores)
 * @param cudaDeviceId GPU ordinal when device is CUDA
 * @param maxBatchRows most sequences the engine decodes together (continuous batching: waiting ones
 *     join as rows finish); 0 = no limit, every submitted sequence at once. The same scheduler runs
 *     on CPU and CUDA
 */
public record InferenceOptions(
    Device device, int intraOpThreads, int cudaDeviceId, int maxBatchRows) {

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
    if (maxBatchRows < 0) {
      throw new IllegalArgumentException(
          "max batch rows must be >= 0 (0 = no limit), got " + maxBatchRows);
    }
  }

  /** No limit on the rows decoded together. */
  public InferenceOptions(Device device, int intraOpThreads, int cudaDeviceId) {
    this(device, intraOpThreads, cudaDeviceId, 0);
  }

  /** These options with another row limit. */
  public InferenceOptions withMaxBatchRows(int rows) {
    return new InferenceOptions(device, intraOpThreads, cudaDeviceId, rows);
  }

  /** CPU with ONNX Runtime's default thread count. */
  public static InferenceOptions cpu() {
    return new InferenceOptions(Device.CPU, 0, 0);
  }
}
