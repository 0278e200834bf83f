package io.trynow.platform.state;

/**
 * Outcome of {@link Requests#discardClaim}: what the request has after its instance failed the
 * claim check.
 *
 * @param outcome reassigned, queued again, or stale (the claim had already changed: nothing done)
 * @param next the instance now assigned to the request ({@link Outcome#REASSIGNED} only)
 */
public record Discarded(Outcome outcome, Instance next) {

  /** What became of the request. */
  public enum Outcome {
    /** The next ready instance is assigned to it. */
    REASSIGNED,
    /** None was ready: it waits, first in its template's queue. */
    QUEUED,
    /** The instance was no longer assigned to it (released, expired, discarded already). */
    STALE
  }
}
