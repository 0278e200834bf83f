package io.trynow.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What became of an acquire: the one type from the store's decision through pool-service's {@link
 * AcquireReply} to the gateway's answer. On the wire: the lower-case name.
 */
public enum AcquireOutcome {
  /** The request holds a demo. */
  ASSIGNED,
  /** No ready instance: the request waits in its template's queue. */
  QUEUED,
  /** No ready instance and the queue is full; nothing was kept. */
  FULL,
  /** The client IP already holds as many live demos as allowed; nothing was kept. */
  LIMITED,
  /** The template's failure circuit is open and nothing is ready; nothing was kept. */
  UNAVAILABLE,
  /** The request has ended without a demo (failed, or closed before it was served). */
  FAILED,
  /** The request waited too long (in the stream or the queue). */
  EXPIRED;

  /** The wire name: lower case. */
  @JsonValue
  public String wire() {
    return WireNames.of(this);
  }

  /**
   * The outcome of a wire name.
   *
   * @throws IllegalArgumentException for a name that is not an outcome
   */
  @JsonCreator
  public static AcquireOutcome fromWire(String s) {
    AcquireOutcome o = WireNames.parse(AcquireOutcome.class, s, null);
    if (o == null) {
      throw new IllegalArgumentException("not an acquire outcome: " + s);
    }
    return o;
  }
}
