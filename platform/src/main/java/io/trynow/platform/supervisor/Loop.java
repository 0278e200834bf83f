package io.trynow.platform.supervisor;

import java.time.Instant;

/**
 * A background loop run by the {@link Supervisor}. The supervisor calls {@link #open()} before the
 * first iteration and again after each failure (after a backoff), then {@link #iterate()} over and
 * over; anything thrown (any {@link Throwable}) is caught, logged with its stack, counted, and
 * followed by {@link #close()} and a restart.
 *
 * <p>An iteration must return within the supervisor's stale-heartbeat limit (liveness turns DOWN
 * otherwise), and should return within about a second so that shutdown is prompt: block on I/O with
 * a timeout, never forever.
 */
public interface Loop {

  /** Opens what the loop needs (subscriptions, consumers). Throwing counts as a failure. */
  default void open() throws Exception {}

  /** One iteration. */
  void iterate() throws Exception;

  /**
   * At shutdown, after the last iteration returned: finish in-flight work until {@code deadline},
   * then hand back (nak) what could not finish. Called once, before {@link #close()}.
   */
  default void drain(Instant deadline) {}

  /** Releases what {@link #open()} acquired; after a failure and at shutdown. Must not throw. */
  default void close() {}
}
