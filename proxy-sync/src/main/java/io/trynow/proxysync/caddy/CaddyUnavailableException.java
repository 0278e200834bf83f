package io.trynow.proxysync.caddy;

/** Caddy's admin API could not be reached or did not answer in time: worth a retry. */
public class CaddyUnavailableException extends RuntimeException {

  public CaddyUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
