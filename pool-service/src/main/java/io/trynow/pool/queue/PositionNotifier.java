package io.trynow.pool.queue;

import io.trynow.platform.state.RequestRecord;
import io.trynow.platform.state.RequestState;
import io.trynow.platform.state.Store;
import io.trynow.platform.supervisor.Loop;
import io.trynow.pool.config.PoolSettings;
import io.trynow.pool.messaging.PoolEvents;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Tells queued visitors their new place: for every request this replica queued, re-reads its live
 * position from the store when the queue moved (a hand-over, an expiry) or on a timer, and
 * publishes {@code request.<rid>.position} (with ETA) when it fell. The msg id carries the
 * position, so replicas and repeats publish each step once.
 */
@Singleton
public class PositionNotifier implements Loop {

  private static final Duration MAX_WAIT = Duration.ofMillis(500);
  private static final Duration COALESCE = Duration.ofMillis(50);

  private record Tracked(String template, long position) {}

  private final Store store;
  private final PoolEvents events;
  private final EtaEstimator eta;
  private final Duration interval;
  private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();
  private final Semaphore wake = new Semaphore(0);
  private long nextRun;

  public PositionNotifier(Store store, PoolEvents events, EtaEstimator eta, PoolSettings settings) {
    this.store = store;
    this.events = events;
    this.eta = eta;
    this.interval = settings.config().positionInterval();
  }

  /** Follows a queued request (its {@code queued} event already carried {@code position}). */
  public void track(String rid, String template, long position) {
    tracked.putIfAbsent(rid, new Tracked(template, position));
  }

  /** The queue moved: re-read positions soon. */
  public void wake() {
    wake.release();
  }

  public int trackedCount() {
    return tracked.size();
  }

  @Override
  public void iterate() throws Exception {
    long now = System.nanoTime();
    long wait = Math.min(Math.max(0, nextRun - now), MAX_WAIT.toNanos());
    boolean woken = wake.tryAcquire(wait, TimeUnit.NANOSECONDS);
    if (woken) {
      Thread.sleep(COALESCE.toMillis());
      wake.drainPermits();
    } else if (System.nanoTime() < nextRun) {
      return;
    }
    nextRun = System.nanoTime() + interval.toNanos();
    long nowMs = System.currentTimeMillis();
    for (Map.Entry<String, Tracked> e : tracked.entrySet()) {
      String rid = e.getKey();
      Tracked t = e.getValue();
      RequestRecord r = store.request(rid).orElse(null);
      if (r == null || r.state() != RequestState.QUEUED) {
        tracked.remove(rid);
        continue;
      }
      if (r.position() > 0 && r.position() < t.position()) {
        events.position(
            rid, t.template(), r.position(), eta.etaSeconds(t.template(), r.position(), nowMs));
        tracked.put(rid, new Tracked(t.template(), r.position()));
      }
    }
  }
}
