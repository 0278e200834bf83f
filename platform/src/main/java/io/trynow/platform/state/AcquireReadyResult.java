package io.trynow.platform.state;

/**
 * Outcome of {@link Requests#acquireReady}: the warm-hit fast path of an acquire, with the rate
 * limit counted in the same call.
 */
public sealed interface AcquireReadyResult
    permits AcquireReadyResult.Assigned, AcquireReadyResult.Miss, AcquireReadyResult.Limited {

  /**
   * Counted, and the request holds this instance, assigned exactly as {@link Requests#acquire}
   * assigns ({@code repeat}: it already held it, nothing was written).
   */
  record Assigned(Instance instance, boolean repeat, RateLimitResult.Allowed windows)
      implements AcquireReadyResult {}

  /**
   * Counted (or a repeat of the request id), nothing else written: the decision is {@link
   * Requests#acquire}'s, on the queue path. Refunds of that path find this count by the request id.
   */
  record Miss(Reason reason, RateLimitResult.Allowed windows) implements AcquireReadyResult {}

  /** The rate limit refused the call; nothing was written. */
  record Limited(RateLimitResult.Limited limited) implements AcquireReadyResult {}

  /** Why the fast path did not decide. */
  enum Reason {
    /** The request exists and does not plainly hold an assigned instance. */
    REQUEST,
    /** The template checks claims (probe before claim, on-claim hook). */
    CHECKS,
    /** The client IP holds as many live requests as allowed. */
    IP,
    /** No ready instance. */
    EMPTY
  }
}
