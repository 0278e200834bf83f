package io.trynow.platform.state;

/**
 * Outcome of {@link Limits#sseOpen}: an event stream's slot, counted in Valkey for every gateway
 * replica together, or the cap that refused it.
 */
public sealed interface StreamLease permits StreamLease.Held, StreamLease.Refused {

  /** The caps an event stream is counted against. */
  enum Cap {
    /** Every open stream of the installation. */
    TOTAL,
    /** The open streams of one client IP. */
    IP
  }

  /**
   * The slot is held until its lease lapses (renew it with {@link Limits#sseRenew}, give it back
   * with {@link Limits#sseClose}).
   *
   * @param openTotal open streams of the installation, this one included
   * @param openFromIp open streams of the client IP, this one included
   */
  record Held(String id, String clientIp, long openTotal, long openFromIp) implements StreamLease {}

  /** Refused: {@code cap} is reached ({@code open} streams count against it). Nothing changed. */
  record Refused(Cap cap, long open) implements StreamLease {}
}
