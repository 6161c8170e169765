package io.rewardstream.kafka;

/** Topics could not be created, or did not get their partition leaders in time. */
public final class TopicException extends RuntimeException {

  /**
   * @param message what was being done, with the topic names involved
   * @param cause the underlying failure, or {@code null}
   */
  public TopicException(String message, Throwable cause) {
    super(message, cause);
  }
}
