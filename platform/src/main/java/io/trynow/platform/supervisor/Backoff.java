package io.trynow.platform.supervisor;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter, pure: the delay before restart number {@code n} (1-based) is
 * {@code min(max, initial * 2^(n-1))}, scaled by a random factor in {@code [1 - jitter, 1]} ("equal
 * jitter" toward zero, so the cap is never exceeded).
 *
 * @param initial delay after the first failure
 * @param max cap of the delay
 * @param jitter fraction in {@code [0, 1]} of the delay that is randomized
 */
public record Backoff(Duration initial, Duration max, double jitter) {

  public Backoff {
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("backoff initial must be > 0");
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("backoff max must be >= initial");
    }
    if (jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("backoff jitter must be in [0, 1]");
    }
  }

  /** The delay before restart {@code attempt} (1 = after the first failure in a row). */
  public Duration delay(int attempt, DoubleSupplier random) {
    int exponent = Math.max(0, Math.min(attempt - 1, 40));
    double base = Math.min((double) max.toNanos(), initial.toNanos() * Math.pow(2, exponent));
    double factor = 1 - jitter * random.getAsDouble();
    return Duration.ofNanos((long) (base * factor));
  }
}
