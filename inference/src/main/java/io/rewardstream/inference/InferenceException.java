package io.rewardstream.inference;

/**
 * A model that cannot be loaded or run: missing files, an ONNX graph not in the expected layout, a
 * prompt longer than the context window. The message names the bad input and the fix.
 */
public class InferenceException extends RuntimeException {
  public InferenceException(String message) {
    super(message);
  }

  public InferenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
