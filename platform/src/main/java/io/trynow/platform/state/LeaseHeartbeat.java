package io.trynow.platform.state;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Keeps this process's claims alive: every held claim's lease is renewed ({@code renew_lease}) on
 * each {@link #renewAll()} (a supervised loop, every {@link #period()} = a third of the lease)
 * while its work runs, so a lease can be short (a few seconds): a worker that dies stops renewing
 * and loses its claims within one lease. A renewal answered with a newer fence, another state or no
 * record marks the claim {@link Held#lost() lost} (another worker took it over, or it ended): the
 * work checks that before each step and stops. A store that does not answer is retried on the next
 * beat; the work's own writes are fenced, so a claim that lapsed meanwhile is harmless.
 */
public final class LeaseHeartbeat {

  private static final Logger LOG = Logger.getLogger(LeaseHeartbeat.class);

  private final Store store;
  private final Duration lease;
  private final Set<Held> held = ConcurrentHashMap.newKeySet();
  private volatile boolean failing;

  public LeaseHeartbeat(Store store, Duration lease) {
    this.store = store;
    this.lease = Args.requirePositive(lease, "lease");
    if (lease.toMillis() < 300) {
      throw new IllegalArgumentException("lease must be at least 300ms: " + lease);
    }
  }

  /** The lease each claim is renewed to. */
  public Duration lease() {
    return lease;
  }

  /** How often {@link #renewAll()} should run: a third of the lease. */
  public Duration period() {
    return lease.dividedBy(3);
  }

  /** Starts renewing claim {@code fence} of instance {@code id}; close the handle when done. */
  public Held hold(String id, long fence) {
    Held h = new Held(id, fence);
    held.add(h);
    return h;
  }

  /** Claims being renewed now. */
  public int size() {
    return held.size();
  }

  /** One beat: renews every held claim. Never throws (a store failure is retried next beat). */
  public void renewAll() {
    for (Held h : held) {
      if (!h.renew()) {
        return; // the store does not answer: the rest would wait for the same timeout
      }
    }
    if (failing) {
      failing = false;
      LOG.infof("lease renewals answered again (%d claim(s) held)", held.size());
    }
  }

  /** One claim held by this process. */
  public final class Held implements AutoCloseable {
    private final String id;
    private final long fence;
    private volatile boolean lost;

    private Held(String id, long fence) {
      this.id = id;
      this.fence = fence;
    }

    public String id() {
      return id;
    }

    public long fence() {
      return fence;
    }

    /** Another worker took the claim over, or the instance left the claimed state. */
    public boolean lost() {
      return lost;
    }

    /** False only when the store did not answer. */
    private boolean renew() {
      try {
        FencedResult r = store.claims().renewLease(id, fence, lease);
        if (!(r instanceof Changed)) {
          lost = true;
          held.remove(this);
          LOG.infof("instance %s: claim %d no longer ours (%s)", id, fence, r);
        }
        return true;
      } catch (StoreException e) {
        if (!failing) {
          failing = true;
          LOG.warnf("lease renewals fail (%s); retrying every %s", e.getMessage(), period());
        }
        return false;
      }
    }

    /**
     * Stops renewing and lets the lease lapse now, so that the retry (on any replica) claims at
     * once. Returns false when the store did not answer (logged: the lease then runs out by itself
     * within one lease, and this worker re-claims its own claim on its retry anyway).
     */
    public boolean release() {
      close();
      try {
        store.claims().renewLease(id, fence, Duration.ofMillis(1));
        return true;
      } catch (StoreException e) {
        LOG.warnf(
            "instance %s: claim not handed back (%s); it lapses within %s",
            id, e.getMessage(), lease);
        return false;
      }
    }

    /** Stops renewing (the work is done or handed on). */
    @Override
    public void close() {
      held.remove(this);
    }
  }
}
