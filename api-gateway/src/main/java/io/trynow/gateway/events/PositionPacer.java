package io.trynow.gateway.events;

import java.time.Duration;
import java.time.Instant;

/**
 * How one request's stream paces its queue positions ({@code
 * trynow.gateway.sse-position-interval}): after a position was told (the {@code queued} event
 * carries one too), the next is told no sooner than the interval; one that comes sooner is held, a
 * newer one replaces it, and the held one is told when the interval is over, unless another event
 * (assigned, expired...) overtakes it first. In a flash crowd each hand-over moves every visitor
 * behind it: without pacing a stream's events grow with the queue, each one a write to the visitor
 * and a read on the visitor's side. Not thread safe: one per stream, used by the stream's own
 * thread.
 *
 * @param <E> the held event
 */
final class PositionPacer<E> {

  private final Duration interval;
  private Instant nextAt;
  private E held;

  PositionPacer(Duration interval) {
    this.interval = interval;
  }

  /**
   * A position came at {@code now}: true when it is to be told now (then call {@link #told}); false
   * when it is held instead, replacing any position held before.
   */
  boolean tellNow(E position, Instant now) {
    if (nextAt == null || interval.isZero() || !now.isBefore(nextAt)) {
      held = null;
      return true;
    }
    held = position;
    return false;
  }

  /** A position (or the {@code queued} event) was told at {@code now}. */
  void told(Instant now) {
    nextAt = now.plus(interval);
  }

  /** Another event of the request came: a held position is stale and is never told. */
  void overtaken() {
    held = null;
  }

  /** {@code other}, or when the held position is due if that is sooner. */
  Instant wakeAt(Instant other) {
    return held != null && nextAt.isBefore(other) ? nextAt : other;
  }

  /** The held position if it is due at {@code now} (it is then no longer held), else null. */
  E takeDue(Instant now) {
    if (held == null || now.isBefore(nextAt)) {
      return null;
    }
    E e = held;
    held = null;
    return e;
  }
}
