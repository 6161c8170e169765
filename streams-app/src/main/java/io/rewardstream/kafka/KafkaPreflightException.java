package io.rewardstream.kafka;

/** Kafka is unreachable, refuses the credentials, or lacks a topic: the message says which. */
public class KafkaPreflightException extends RuntimeException {
  public KafkaPreflightException(String message) {
    super(message);
  }

  public KafkaPreflightException(String message, Throwable cause) {
    super(message, cause);
  }
}
