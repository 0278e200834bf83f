package io.trynow.platform.state;

import java.time.Instant;

/**
 * Outcome of {@link Limits#rateLimit}: the hour and day windows are checked and counted together.
 */
public sealed interface RateLimitResult permits RateLimitResult.Allowed, RateLimitResult.Limited {

  /** The two windows a client is counted in. */
  enum Window {
    HOUR,
    DAY
  }

  /**
   * Counted in both windows ({@code repeat}: this request id was already counted, nothing changed).
   *
   * @param hourCount calls counted in the current hour window, this one included
   * @param dayCount calls counted in the current day window, this one included
   * @param hourReset when the hour window ends
   * @param dayReset when the day window ends
   */
  record Allowed(long hourCount, long dayCount, Instant hourReset, Instant dayReset, boolean repeat)
      implements RateLimitResult {}

  /**
   * Over the limit of {@code window}; nothing was counted. Retry after {@code resetAt}. Both
   * windows as they stand: {@code hourCount}/{@code dayCount} calls counted, ending at {@code
   * hourReset}/{@code dayReset}.
   */
  record Limited(
      Window window,
      long count,
      Instant resetAt,
      long hourCount,
      long dayCount,
      Instant hourReset,
      Instant dayReset)
      implements RateLimitResult {}
}
