package io.rewardstream.schemas.registry;

import org.apache.kafka.common.KafkaException;

/**
 * The schema registry answered and refused a request: a schema incompatible with its subject, bad
 * credentials, a subject missing while auto-registration is off. Not retried; the message names the
 * request, the registry's own answer and the fix.
 */
public class RegistryRefusedException extends KafkaException implements RegistryFailure {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final int errorCode;

  public RegistryRefusedException(String message, int status, int errorCode) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The registry's {@code error_code} (Confluent's codes, e.g. 40403, 409), or the status. */
  public int errorCode() {
    return errorCode;
  }
}
