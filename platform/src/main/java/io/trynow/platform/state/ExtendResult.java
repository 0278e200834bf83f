package io.trynow.platform.state;

import java.time.Instant;

/** Outcome of {@link Lifecycle#extend}. */
public sealed interface ExtendResult
    permits ExtendResult.Extended, ExtendResult.PastMaxLifetime, NotFound, WrongState, BadToken {

  /**
   * The new expiry is {@code instance.expiresAt()}; {@code capped} when it was cut to the max
   * lifetime.
   */
  record Extended(Instance instance, boolean capped) implements ExtendResult {}

  /** The expiry already is the hard cap; nothing was written (HTTP 409). */
  record PastMaxLifetime(String id, Instant maxExpiresAt) implements ExtendResult {}
}
