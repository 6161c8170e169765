package io.rewardstream.schemas.registry;

import org.apache.kafka.common.errors.RetriableException;

/**
 * The schema registry did not answer (connection refused, timeout, HTTP 5xx or 429) for longer than
 * {@code schema.registry.retry.timeout.ms}. A Kafka {@link RetriableException}: in the streaming
 * app it fails the stream thread, whose transaction is aborted, and the thread-failure policy
 * replaces it (a few times, then stops the instance), so the records are read again later, never
 * dead-lettered or lost.
 */
public class RegistryUnavailableException extends RetriableException implements RegistryFailure {

  private static final long serialVersionUID = 1L;

  public RegistryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
