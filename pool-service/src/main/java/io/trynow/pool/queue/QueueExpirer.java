package io.trynow.pool.queue;

import io.trynow.platform.state.RequestRecord;
import io.trynow.platform.state.Store;
import io.trynow.pool.PoolMetrics;
import io.trynow.pool.config.PoolSettings;
import io.trynow.pool.messaging.PoolEvents;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Ends waits that took too long: {@code expire_waiting} drops requests queued longer than the queue
 * timeout (state {@code expired}), then each visitor gets an {@code expired} event and its
 * rate-limit slot back. Ends waits that cannot be served: while a template's failure circuit is not
 * closed, {@code drop_unavailable} drops its queued requests (state {@code unavailable}) and each
 * visitor gets an {@code unavailable} event and its slot back — within one sweep period, not the
 * queue timeout.
 */
@Singleton
public class QueueExpirer {

  private static final Logger LOG = Logger.getLogger(QueueExpirer.class);
  private static final int BATCH = 100;

  private final Store store;
  private final PoolSettings settings;
  private final PoolEvents events;
  private final PositionNotifier positions;
  private final PoolMetrics metrics;

  public QueueExpirer(
      Store store,
      PoolSettings settings,
      PoolEvents events,
      PositionNotifier positions,
      PoolMetrics metrics) {
    this.store = store;
    this.settings = settings;
    this.events = events;
    this.positions = positions;
    this.metrics = metrics;
  }

  /** One sweep over every template; returns how many requests expired. */
  public int sweep() {
    int total = 0;
    for (String template : settings.templates().keySet()) {
      total += dropUnavailable(template);
      List<RequestRecord> expired;
      do {
        expired = store.requests().expireWaiting(template, settings.config().queueTimeout(), BATCH);
        for (RequestRecord r : expired) {
          refund(r);
          events.expired(r.id(), template);
        }
        total += expired.size();
        if (!expired.isEmpty()) {
          metrics.queueExpired(template, expired.size());
        }
      } while (expired.size() == BATCH);
    }
    if (total > 0) {
      LOG.infof("%d queued request(s) ended (expired or unavailable)", total);
      positions.wake();
    }
    return total;
  }

  private int dropUnavailable(String template) {
    int n = 0;
    List<RequestRecord> dropped;
    do {
      dropped = store.requests().dropUnavailable(template, BATCH);
      for (RequestRecord r : dropped) {
        refund(r);
        events.unavailable(r.id(), template);
      }
      n += dropped.size();
    } while (dropped.size() == BATCH);
    if (n > 0) {
      metrics.queueUnavailable(template, n);
      LOG.infof("template %s is unavailable: %d queued request(s) told", template, n);
    }
    return n;
  }

  private void refund(RequestRecord r) {
    try {
      Instant counted = r.createdAt() == null ? Instant.now() : r.createdAt();
      store.limits().rateLimitRefund(r.clientIp(), r.id(), counted);
    } catch (RuntimeException e) {
      LOG.warnf("rate-limit refund of %s failed: %s", r.id(), e.toString());
    }
  }
}
