package io.trynow.proxysync.reconcile;

import io.trynow.model.InstanceState;
import io.trynow.platform.state.Instance;
import io.trynow.platform.supervisor.Loop;
import io.trynow.proxysync.caddy.CaddyUnavailableException;
import io.trynow.proxysync.config.ProxySyncConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

/**
 * The sync loop, run by the Supervisor: runs a coalesced cycle whenever an event handler asked for
 * one, and a full reconcile every {@code reconcile-interval} even when nobody asked — repairing
 * drift both ways, refilling a Caddy that restarted empty, and marking ready every started instance
 * whose route exists (the crash between route and {@code mark_ready}, or a lost event).
 *
 * <p>Caddy being down is expected and logged once per outage, not thrown: the circuit breaker makes
 * each try cheap, and the next tick (plus the breaker's delay) rebuilds the routes within seconds
 * of Caddy's return instead of after a supervisor backoff. Anything else is thrown to the
 * Supervisor.
 */
@ApplicationScoped
public class SyncLoop implements Loop {

  private static final Logger LOG = Logger.getLogger(SyncLoop.class);
  private static final Duration WAIT = Duration.ofMillis(250);

  private final RouteSync routes;
  private final ReadyMarker ready;
  private final Duration interval;
  private long nextReconcile;
  private boolean caddyDown;

  SyncLoop(RouteSync routes, ReadyMarker ready, ProxySyncConfig config) {
    this.routes = routes;
    this.ready = ready;
    this.interval = config.reconcileInterval();
  }

  @Override
  public void drain(java.time.Instant deadline) {
    routes.abandon();
  }

  @Override
  public void iterate() throws InterruptedException {
    long now = System.nanoTime();
    boolean reconcile = now - nextReconcile >= 0;
    if (reconcile) {
      nextReconcile = now + interval.toNanos();
    }
    RouteSync.Cycle cycle;
    try {
      cycle = routes.runIfRequested(WAIT, reconcile);
    } catch (CaddyUnavailableException | CircuitBreakerOpenException e) {
      if (!caddyDown) {
        LOG.warnf("caddy unavailable, routes wait for it: %s", e.getMessage());
        caddyDown = true;
      }
      return;
    }
    if (cycle == null) {
      return;
    }
    if (caddyDown) {
      LOG.infof("caddy back: %d routes in place", cycle.applied().routed().size());
      caddyDown = false;
    }
    if (reconcile) {
      for (Instance i : cycle.desired()) {
        if (i.state() == InstanceState.STARTED && cycle.routed(i.id())) {
          ready.markReady(i.id(), i.template(), "reconcile");
        }
      }
    }
  }
}
