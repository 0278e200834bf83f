package io.trynow.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Kinds of {@link RequestEvent} ({@code trynow.events.request.<request id>.<kind>}), published by
 * pool-service and proxy-sync while a visitor's request waits. {@code EventKindsTest} pins the wire
 * names.
 */
public enum RequestEventKind {
  /** The request joined the queue at {@code position}. */
  QUEUED,
  /** The request moved up to {@code position}. */
  POSITION,
  /** The request got {@code instanceId}; the demo's own events follow on its instance subject. */
  ASSIGNED,
  /** The request waited longer than allowed and left the queue. */
  EXPIRED,
  /** The request was dropped: its template's failure circuit opened. */
  UNAVAILABLE,
  /** The request ended without a demo ({@code reason} says why). */
  FAILED,
  /** Read side only: a kind this version does not know. Consumers ignore it; never published. */
  UNKNOWN;

  @JsonValue
  public String wire() {
    return WireNames.of(this);
  }

  /** The kind of a wire name; {@link #UNKNOWN} for a name this version does not know. */
  @JsonCreator
  public static RequestEventKind fromWire(String s) {
    return WireNames.parse(RequestEventKind.class, s, UNKNOWN);
  }

  /** The request ended without a demo: nothing follows on its subject. */
  public boolean endsWithoutDemo() {
    return this == EXPIRED || this == UNAVAILABLE || this == FAILED;
  }
}
