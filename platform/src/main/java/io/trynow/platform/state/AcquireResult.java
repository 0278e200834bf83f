package io.trynow.platform.state;

import io.trynow.model.AcquireOutcome;

/**
 * Outcome of {@link Requests#acquire}. A repeat of a request id returns the outcome of the first
 * call as it stands now ({@code repeat = true}): still queued (with the live position), assigned,
 * or {@link Closed}.
 */
public sealed interface AcquireResult
    permits AcquireResult.Assigned,
        AcquireResult.Queued,
        AcquireResult.QueueFull,
        AcquireResult.LimitExceeded,
        AcquireResult.Unavailable,
        AcquireResult.Closed {

  /**
   * The outcome on the wire ({@link AcquireOutcome}): what the gateway tells the visitor. A closed
   * request is expired or unavailable as stored; any other end (failed, closed unserved) is failed.
   */
  default AcquireOutcome outcome() {
    return switch (this) {
      case Assigned a -> AcquireOutcome.ASSIGNED;
      case Queued q -> AcquireOutcome.QUEUED;
      case QueueFull f -> AcquireOutcome.FULL;
      case LimitExceeded l -> AcquireOutcome.LIMITED;
      case Unavailable u -> AcquireOutcome.UNAVAILABLE;
      case Closed c ->
          switch (c.request().state()) {
            case EXPIRED -> AcquireOutcome.EXPIRED;
            case UNAVAILABLE -> AcquireOutcome.UNAVAILABLE;
            case QUEUED, ASSIGNED, FAILED -> AcquireOutcome.FAILED;
          };
    };
  }

  /** The request holds this instance; its expiry and max lifetime are set. */
  record Assigned(Instance instance, String requestId, boolean repeat) implements AcquireResult {}

  /** No ready instance: the request waits at this 1-based position of the template's queue. */
  record Queued(String requestId, long position, boolean repeat) implements AcquireResult {}

  /** No ready instance and the queue holds {@code maxQueue} requests; nothing was written. */
  record QueueFull(String requestId, int maxQueue) implements AcquireResult {}

  /**
   * The client IP already has {@code live} live demos (queued or assigned); nothing was written.
   */
  record LimitExceeded(String requestId, long live, int limit) implements AcquireResult {}

  /**
   * No ready instance and the template's failure circuit is not closed: a queue slot could not be
   * served, so nothing was written.
   *
   * @param retryAfter when asking again may succeed (the circuit's open-until, or a probe's time)
   * @param lastError the template's last provision error (may be empty)
   */
  record Unavailable(String requestId, java.time.Duration retryAfter, String lastError)
      implements AcquireResult {}

  /**
   * A repeat of a request that has ended (failed, expired, or its instance record is gone).
   *
   * @param request the request as stored
   */
  record Closed(RequestRecord request) implements AcquireResult {}
}
