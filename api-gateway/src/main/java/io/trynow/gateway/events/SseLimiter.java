package io.trynow.gateway.events;

import io.quarkus.runtime.StartupEvent;
import io.trynow.gateway.config.GatewaySettings;
import io.trynow.gateway.outcome.Refusal;
import io.trynow.platform.state.Store;
import io.trynow.platform.state.StreamLease;
import io.trynow.platform.supervisor.Supervisor;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Bounds open event streams per client IP and in total (no connection is unbounded), for every
 * gateway replica together: each stream holds a slot in Valkey ({@link
 * io.trynow.platform.state.Limits#sseOpen}, one Lua function checks both caps and takes the slot).
 * A slot is a lease that this replica renews every third of {@code sse-lease} while the stream is
 * open (the {@code sse-leases} loop) and gives back when it closes; the slots of a replica that
 * dies lapse after {@code sse-lease}.
 */
@Singleton
public class SseLimiter {

  private static final Logger LOG = Logger.getLogger(SseLimiter.class);

  private final Store store;
  private final int perIp;
  private final int total;
  private final Duration lease;

  /** The slots of the streams open in this replica, by lease id. */
  private final Map<String, StreamLease.Held> held = new ConcurrentHashMap<>();

  public SseLimiter(GatewaySettings settings, Store store) {
    this.store = store;
    this.perIp = settings.config().sseMaxPerIp();
    this.total = settings.config().sseMaxTotal();
    this.lease = settings.config().sseLease();
  }

  void start(@Observes StartupEvent ev, Supervisor supervisor) {
    supervisor.every("sse-leases", lease.dividedBy(3), this::renew);
  }

  /**
   * A slot for {@code ip}; close it when the stream ends. 429 when the IP has its share open, 503
   * when the installation has.
   */
  public Slot acquire(String ip) {
    StreamLease l = store.limits().sseOpen(ip, lease, perIp, total);
    if (l instanceof StreamLease.Refused r) {
      if (r.cap() == StreamLease.Cap.TOTAL) {
        throw Refusal.of(Refusal.Reason.UNAVAILABLE, "too many open event streams; retry shortly")
            .retryAfter(5);
      }
      throw Refusal.of(
              Refusal.Reason.TOO_MANY_STREAMS, "too many open event streams from this address")
          .retryAfter(10);
    }
    StreamLease.Held h = (StreamLease.Held) l;
    held.put(h.id(), h);
    return new Slot(h);
  }

  /** Renews the leases of the streams open in this replica (one store call). */
  void renew() {
    Map<String, String> leases = new HashMap<>();
    held.values().forEach(h -> leases.put(h.id(), h.clientIp()));
    store.limits().sseRenew(lease, leases);
  }

  /** Event streams open in this replica (the installation's are counted in Valkey). */
  public int open() {
    return held.size();
  }

  /** One open stream's slot. */
  public final class Slot implements AutoCloseable {
    private final StreamLease.Held lease;
    private boolean closed;

    private Slot(StreamLease.Held lease) {
      this.lease = lease;
    }

    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      held.remove(lease.id());
      try {
        store.limits().sseClose(lease);
      } catch (RuntimeException e) {
        // not renewed any more: the slot comes back when its lease lapses
        LOG.debugf("event stream slot %s not given back now (%s); it lapses", lease.id(), e);
      }
    }
  }
}
