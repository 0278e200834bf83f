package io.trynow.platform.state;

import io.trynow.model.AcquireOutcome;

/**
 * Outcome of {@link Store#acquire}. A repeat of a request id returns the outcome of the first call
 * as it stands now ({@code repeat = true}): still queued (with the live position), assigned, or
 * {@link Closed}.
 */
public sealed interface AcquireResult
    permits AcquireResult.Assigned,
        AcquireResult.Queued,
        AcquireResult.QueueFull,
        AcquireResult.LimitExceeded,
        AcquireResult.Unavailable,
        AcquireResult.Closed {

  /** The outcome on the wire ({@link AcquireOutcome}): what the gateway tells the visitor. */
  AcquireOutcome outcome();

  /** The request holds this instance; its expiry and max lifetime are set. */
  record Assigned(Instance instance, String requestId, boolean repeat) implements AcquireResult {
    @Override
    public AcquireOutcome outcome() {
      return AcquireOutcome.ASSIGNED;
    }
  }

  /** No ready instance: the request waits at this 1-based position of the template's queue. */
  record Queued(String requestId, long position, boolean repeat) implements AcquireResult {
    @Override
    public AcquireOutcome outcome() {
      return AcquireOutcome.QUEUED;
    }
  }

  /** No ready instance and the queue holds {@code maxQueue} requests; nothing was written. */
  record QueueFull(String requestId, int maxQueue) implements AcquireResult {
    @Override
    public AcquireOutcome outcome() {
      return AcquireOutcome.FULL;
    }
  }

  /**
   * The client IP already has {@code live} live demos (queued or assigned); nothing was written.
   */
  record LimitExceeded(String requestId, long live, int limit) implements AcquireResult {
    @Override
    public AcquireOutcome outcome() {
      return AcquireOutcome.LIMITED;
    }
  }

  /**
   * No ready instance and the template's failure circuit is not closed: a queue slot could not be
   * served, so nothing was written.
   *
   * @param retryAfter when asking again may succeed (the circuit's open-until, or a probe's time)
   * @param lastError the template's last provision error (may be empty)
   */
  record Unavailable(String requestId, java.time.Duration retryAfter, String lastError)
      implements AcquireResult {
    @Override
    public AcquireOutcome outcome() {
      return AcquireOutcome.UNAVAILABLE;
    }
  }

  /**
   * A repeat of a request that has ended (failed, expired, or its instance record is gone).
   *
   * @param request the request as stored
   */
  record Closed(RequestRecord request) implements AcquireResult {
    /** Expired or unavailable as stored; any other end (failed, closed unserved) is failed. */
    @Override
    public AcquireOutcome outcome() {
      return switch (request.state()) {
        case EXPIRED -> AcquireOutcome.EXPIRED;
        case UNAVAILABLE -> AcquireOutcome.UNAVAILABLE;
        case QUEUED, ASSIGNED, FAILED -> AcquireOutcome.FAILED;
      };
    }
  }
}
