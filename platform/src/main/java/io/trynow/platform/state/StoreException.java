package io.trynow.platform.state;

/**
 * Valkey could not be reached, did not answer in time, or answered with an unexpected error. Never
 * thrown for expected outcomes (those are result types); the caller retries later.
 */
public class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreException(String message) {
    super(message);
  }
}
