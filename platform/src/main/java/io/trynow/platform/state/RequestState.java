package io.trynow.platform.state;

import java.util.Locale;

/**
 * The life of an acquire request: queued until an instance is handed to it, or it expires, or its
 * template becomes unavailable.
 */
public enum RequestState {
  /** Waiting in its template's queue. */
  QUEUED,
  /** Holds an instance (the instance may since have ended). */
  ASSIGNED,
  /** Its instance failed while assigned. */
  FAILED,
  /** Waited longer than the queue timeout and was dropped ({@code expireWaiting}). */
  EXPIRED,
  /**
   * Dropped from the queue because its template's failure circuit opened ({@code dropUnavailable}):
   * no instance could be made for it.
   */
  UNAVAILABLE;

  /** The name stored in Valkey: lower case. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static RequestState fromWire(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }
}
