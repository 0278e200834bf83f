package io.trynow.platform.state;

/** Outcome of {@link Requests#cancelRequest}. */
public sealed interface CancelResult
    permits CancelResult.Cancelled, CancelResult.HoldsDemo, NotFound, BadToken {

  /**
   * The request left the queue (state {@code expired}, {@code ended_reason = cancelled}); {@code
   * repeat} when it had already ended before this call.
   */
  record Cancelled(RequestRecord request, boolean repeat) implements CancelResult {}

  /** Too late: the request holds a demo; its owner releases the demo instead. */
  record HoldsDemo(String requestId, String instanceId) implements CancelResult {}
}
