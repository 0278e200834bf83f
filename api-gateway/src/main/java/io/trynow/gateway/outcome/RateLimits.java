package io.trynow.gateway.outcome;

import java.util.List;

/**
 * Where a caller stands in each acquire rate-limit window (the hour and the day): what the {@code
 * RateLimit-Policy} and {@code RateLimit} response fields report.
 */
public record RateLimits(List<Window> windows) {

  /**
   * One window.
   *
   * @param name the policy's name ({@code hour}, {@code day})
   * @param quota acquires allowed per window
   * @param windowSeconds the window's length
   * @param remaining acquires left in the current window
   * @param resetSeconds seconds until the current window ends
   */
  public record Window(
      String name, long quota, long windowSeconds, long remaining, long resetSeconds) {}

  public RateLimits {
    windows = List.copyOf(windows);
  }
}
