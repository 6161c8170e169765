package io.rewardstream.broker;

/** A Kafka broker could not be started, or topics could not be created or get their leaders. */
public final class BrokerException extends RuntimeException {

  /**
   * @param message what was being done, with the names involved
   * @param cause the underlying failure, or {@code null}
   */
  public BrokerException(String message, Throwable cause) {
    super(message, cause);
  }
}
