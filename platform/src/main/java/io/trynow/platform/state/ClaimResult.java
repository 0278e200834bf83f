package io.trynow.platform.state;

import java.time.Instant;

/** Outcome of a claim ({@code claimProvision}, {@code claimTerminate}). */
public sealed interface ClaimResult
    permits ClaimResult.Claimed, ClaimResult.Busy, NotFound, WrongState {

  /**
   * The caller now holds the claim. Pass {@code instance.fence()} to every later write; renew the
   * lease ({@link Claims#renewLease}) while work runs longer than it.
   */
  record Claimed(Instance instance) implements ClaimResult {
    public long fence() {
      return instance.fence();
    }
  }

  /** Another worker holds an unexpired lease; retry after {@code leaseUntil}. */
  record Busy(String id, Instant leaseUntil) implements ClaimResult {}
}
