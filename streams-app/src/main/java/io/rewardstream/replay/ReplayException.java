package io.rewardstream.replay;

/** A replay or compare that cannot go on (fenced by another replay, topic missing, broker gone). */
public final class ReplayException extends RuntimeException {
  public ReplayException(String message, Throwable cause) {
    super(message, cause);
  }

  public ReplayException(String message) {
    super(message);
  }
}
