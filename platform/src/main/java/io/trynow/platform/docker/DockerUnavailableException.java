package io.trynow.platform.docker;

/**
 * The engine did not answer, answered 5xx, timed out, or its circuit breaker is open: a transient
 * condition, worth retrying later.
 */
public class DockerUnavailableException extends RuntimeException {

  public DockerUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public DockerUnavailableException(String message) {
    super(message);
  }
}
