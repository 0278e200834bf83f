package io.trynow.cleanup.teardown;

import java.time.Duration;

/**
 * How many teardowns the backlog runs at once: additive increase while waves of removals finish
 * fast and clean, multiplicative decrease when one is slow or fails (an engine under load, or one
 * that stalls) — always within {@code [1, max]}, {@code max} being the engine's safe bound ({@code
 * trynow.docker.max-parallel-removals}). Pure; one instance per backlog.
 */
public final class RemovalLimit {

  /** A wave slower than this means the engine is saturated (a removal takes ~0.1–0.3 s idle). */
  static final Duration SLOW = Duration.ofSeconds(3);

  private final int max;
  private int current;

  public RemovalLimit(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("trynow.docker.max-parallel-removals must be at least 1");
    }
    this.max = max;
    this.current = Math.min(2, max);
  }

  public synchronized int current() {
    return current;
  }

  public int max() {
    return max;
  }

  /** One wave of {@code ran} teardowns, {@code ok} of them done, took {@code took}. */
  public synchronized void observe(int ran, int ok, Duration took) {
    if (ok < ran || took.compareTo(SLOW) > 0) {
      current = Math.max(1, current / 2);
    } else if (ran >= current) {
      current = Math.min(max, current + 1);
    }
  }
}
