package io.trynow.pool.queue;

import io.trynow.platform.state.QueueMove;
import io.trynow.platform.state.Store;
import io.trynow.platform.supervisor.Loop;
import io.trynow.pool.config.PoolSettings;
import io.trynow.pool.messaging.PoolEvents;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Tells queued visitors their new place. The wait queue and the place each visitor was last told
 * live in Valkey: when the queue moved (a hand-over, an expiry) or on a timer, {@link
 * io.trynow.platform.state.Requests#queueMoves} hands each fallen position to exactly one caller,
 * which publishes {@code request.<rid>.position} (with ETA). So any replica tells any visitor, and
 * the visitors of a replica that died keep getting their updates; the msg id carries the position,
 * so a repeat after a crash publishes each step once.
 */
@Singleton
public class PositionNotifier implements Loop {

  /** Queue entries looked at per template and pass (the front of the queue moves first). */
  static final int SCAN = 1000;

  private static final Duration MAX_WAIT = Duration.ofMillis(500);
  private static final Duration COALESCE = Duration.ofMillis(50);

  /**
   * Passes woken by queue moves are at least this far apart. Each pass tells every visitor behind a
   * move (one event each, published, stored and streamed to the visitor): in a flash crowd served
   * at ~7 hand-overs/s, a pass per hand-over sent ~700 events for 40 queued visitors, on the CPU
   * the Docker engine needed. Two updates a second are plenty for a position.
   */
  static final Duration MIN_SPACING = Duration.ofMillis(500);

  private final Store store;
  private final PoolEvents events;
  private final EtaEstimator eta;
  private final PoolSettings settings;
  private final Duration interval;
  private final Semaphore wake = new Semaphore(0);
  private long nextRun;
  private long lastPass = System.nanoTime() - MIN_SPACING.toNanos();

  public PositionNotifier(Store store, PoolEvents events, EtaEstimator eta, PoolSettings settings) {
    this.store = store;
    this.events = events;
    this.eta = eta;
    this.settings = settings;
    this.interval = settings.config().positionInterval();
  }

  /** The queue moved: re-read positions soon. */
  public void wake() {
    wake.release();
  }

  @Override
  public void iterate() throws Exception {
    long now = System.nanoTime();
    long wait = Math.min(Math.max(0, nextRun - now), MAX_WAIT.toNanos());
    boolean woken = wake.tryAcquire(wait, TimeUnit.NANOSECONDS);
    if (woken) {
      long spacing = lastPass + MIN_SPACING.toNanos() - System.nanoTime();
      TimeUnit.NANOSECONDS.sleep(Math.max(COALESCE.toNanos(), spacing));
      wake.drainPermits();
    } else if (System.nanoTime() < nextRun) {
      return;
    }
    lastPass = System.nanoTime();
    nextRun = lastPass + interval.toNanos();
    notifyAll(System.currentTimeMillis());
  }

  /** One pass over every template's queue; returns how many visitors were told. */
  public int notifyAll(long nowMs) {
    int told = 0;
    for (String template : settings.templates().keySet()) {
      java.util.List<QueueMove> moves = store.requests().queueMoves(template, SCAN);
      if (moves.isEmpty()) {
        continue;
      }
      // the rate is read once per template and pass, not once per visitor told: a crowd's pass
      // tells up to every queued visitor, and that store call per event was a fifth of this
      // loop's CPU samples in the crowd bench
      double rate = eta.throughput(template, nowMs);
      for (QueueMove m : moves) {
        events.position(
            m.requestId(), template, m.position(), EtaEstimator.etaSeconds(m.position(), rate));
        told++;
      }
    }
    return told;
  }
}
