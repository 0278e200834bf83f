package io.trynow.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Kinds of {@link InstanceEvent} ({@code trynow.events.instance.<id>.<kind>}). The wire names are
 * the enum names in lower case; {@code EventKindsTest} pins them (renaming one is a wire change).
 */
public enum InstanceEventKind {
  /** Reserved: a provision was requested (not published today). */
  REQUESTED,
  /** The container runs (provisioner-worker, {@code mark_started}). */
  STARTED,
  /** The route is confirmed and the instance is in the pool (proxy-sync). */
  READY,
  /** The instance was handed to a visitor (pool-service warm, or proxy-sync to a queued one). */
  ASSIGNED,
  /** The visitor extended the demo (api-gateway). */
  EXTENDED,
  /** Reserved: the gateway's SSE stream sends its own {@code expiring} warning, not this event. */
  EXPIRING,
  /** Released, expired, retired or forced: teardown is queued. */
  TERMINATING,
  /** Torn down (cleanup-worker). */
  TERMINATED,
  /** Provisioning or the container failed; the record's last error says why. */
  FAILED,
  /**
   * Read side only: a kind this version does not know (a newer publisher during a rolling upgrade).
   * Consumers ignore it; it is never published.
   */
  UNKNOWN;

  @JsonValue
  public String wire() {
    return WireNames.of(this);
  }

  /** The kind of a wire name; {@link #UNKNOWN} for a name this version does not know. */
  @JsonCreator
  public static InstanceEventKind fromWire(String s) {
    return WireNames.parse(InstanceEventKind.class, s, UNKNOWN);
  }

  /** The instance's life is over: nothing follows on its subject. */
  public boolean ends() {
    return this == TERMINATED || this == FAILED;
  }
}
