package io.trynow.platform.state;

import java.time.Duration;

/**
 * How provision failures of a template open its {@link Circuit}.
 *
 * @param failureThreshold consecutive failures that open a closed circuit
 * @param baseDelay how long the first opening lasts; each further opening doubles it
 * @param maxDelay the cap of an opening (before jitter: an opening lasts between half of the delay
 *     and the delay)
 */
public record CircuitPolicy(int failureThreshold, Duration baseDelay, Duration maxDelay) {

  public CircuitPolicy {
    if (failureThreshold < 1) {
      throw new IllegalArgumentException("failureThreshold must be ≥ 1");
    }
    Args.requirePositive(baseDelay, "baseDelay");
    Args.requirePositive(maxDelay, "maxDelay");
    if (maxDelay.compareTo(baseDelay) < 0) {
      throw new IllegalArgumentException("maxDelay must not be below baseDelay");
    }
  }
}
