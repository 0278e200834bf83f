package io.trynow.proxysync.reconcile;

import io.micrometer.core.instrument.MeterRegistry;
import io.trynow.model.InstanceState;
import io.trynow.platform.endpoints.Endpoints;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.Store;
import io.trynow.proxysync.ProxySyncMetrics;
import io.trynow.proxysync.caddy.CaddyRoutes;
import io.trynow.proxysync.caddy.Route;
import io.trynow.proxysync.config.ProxySyncConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one writer of Caddy's routes in this process, coalescing: callers {@link #request()} a sync
 * and get the result of the next cycle that starts after their request; the sync loop runs one
 * cycle for all requests that arrived meanwhile (plus a short window), so a burst of events costs
 * one read of Valkey and at most one write to Caddy; writes asked for by events are at least {@code
 * min-write-interval} apart, so a steady trickle of route changes is written in batches too.
 *
 * <p>Routes are written ahead: an instance being provisioned that has its host and port is routed
 * already (nobody knows its URL before {@code mark_ready}, so an upstream that does not answer yet
 * is never visited). In a flash crowd the cycles asked for by other instances' events write a new
 * instance's route while its container starts, so when it reports {@code started} the event handler
 * finds the route in Caddy ({@link #routedNow}) and marks it ready at once, instead of waiting up
 * to one write interval for a cycle.
 *
 * <p>A cycle is level-triggered: desired = every instance in provisioning (with a port), started,
 * ready or assigned in Valkey (read in that order, so an instance moving forward between two reads
 * is still seen), actual = Caddy's config; {@link CaddyRoutes#apply} writes the difference. Events
 * only say "look now".
 */
@ApplicationScoped
public class RouteSync {

  private static final List<InstanceState> ROUTED =
      List.of(
          InstanceState.PROVISIONING,
          InstanceState.STARTED,
          InstanceState.READY,
          InstanceState.ASSIGNED);

  private final Store store;
  private final CaddyRoutes caddy;
  private final ProxySyncConfig config;
  private final Endpoints endpoints;
  private final MeterRegistry metrics;

  private boolean pending;

  /** When this process last wrote to Caddy (only the sync loop writes). */
  private volatile long lastWriteNanos = System.nanoTime() - Duration.ofHours(1).toNanos();

  private CompletableFuture<Cycle> next = new CompletableFuture<>();

  /** The cycle running now (it has read Valkey already), or null. */
  private CompletableFuture<Cycle> running;

  RouteSync(
      Store store,
      CaddyRoutes caddy,
      ProxySyncConfig config,
      Endpoints endpoints,
      MeterRegistry metrics) {
    this.endpoints = endpoints;
    this.store = store;
    this.caddy = caddy;
    this.config = config;
    this.metrics = metrics;
  }

  /**
   * The result of one cycle.
   *
   * @param desired the instances that should have a route (as read from Valkey)
   * @param applied what Caddy's config holds after the cycle
   */
  public record Cycle(List<Instance> desired, CaddyRoutes.Applied applied) {

    public boolean routed(String instanceId) {
      return applied.routed().contains(instanceId);
    }
  }

  /** Asks for a sync; completes with the first cycle that starts after this call. */
  public synchronized CompletableFuture<Cycle> request() {
    pending = true;
    notifyAll();
    return next;
  }

  /** Whether a cycle was asked for and has not started yet (tests). */
  public synchronized boolean requested() {
    return pending;
  }

  /**
   * The cycle running now, or null. It read the desired routes from Valkey when it started, so it
   * may already be writing the route of an instance that reports {@code started} meanwhile (written
   * ahead while its container started): such an event waits for this cycle instead of the next one,
   * which starts only after this one and {@code min-write-interval}.
   */
  public synchronized CompletableFuture<Cycle> running() {
    return running;
  }

  /**
   * Runs one cycle if one was requested within {@code wait} (or at once when {@code force}). Called
   * by the sync loop only.
   *
   * @return the cycle, or null when nothing was requested
   */
  public Cycle runIfRequested(Duration wait, boolean force) throws InterruptedException {
    synchronized (this) {
      if (!pending && !force) {
        wait(wait.toMillis());
        if (!pending) {
          return null;
        }
      }
    }
    if (!force) {
      // let the burst arrive, and keep Caddy writes at least min-write-interval apart: each write
      // is a full config reload, which closes every idle keep-alive connection to the demos
      long spacing = config.minWriteInterval().toNanos() - (System.nanoTime() - lastWriteNanos);
      TimeUnit.NANOSECONDS.sleep(Math.max(config.coalesceWindow().toNanos(), spacing));
    }
    CompletableFuture<Cycle> mine;
    synchronized (this) {
      pending = false;
      mine = next;
      next = new CompletableFuture<>();
      running = mine;
    }
    try {
      Cycle cycle = cycle();
      if (cycle.applied().writes() > 0) {
        lastWriteNanos = System.nanoTime();
      }
      metrics.counter(ProxySyncMetrics.SYNC_CYCLES, "outcome", "ok").increment();
      mine.complete(cycle);
      return cycle;
    } catch (RuntimeException | Error e) {
      metrics.counter(ProxySyncMetrics.SYNC_CYCLES, "outcome", "failed").increment();
      mine.completeExceptionally(e);
      throw e;
    } finally {
      synchronized (this) {
        if (running == mine) {
          running = null;
        }
      }
    }
  }

  /**
   * Whether Caddy's config holds {@code i}'s route exactly as a cycle would write it, now (one read
   * of that route in Caddy, no cycle): a started instance whose route was written ahead needs no
   * cycle, so it does not wait for {@code min-write-interval}.
   */
  public boolean routedNow(Instance i) {
    return i.port() > 0 && caddy.holds(route(i));
  }

  /** At shutdown: callers still waiting for a cycle get an error now (their events are retried). */
  public void abandon() {
    CompletableFuture<Cycle> waiting;
    synchronized (this) {
      pending = false;
      waiting = next;
      next = new CompletableFuture<>();
    }
    waiting.completeExceptionally(new IllegalStateException("proxy-sync is shutting down"));
  }

  private Cycle cycle() {
    List<Instance> desired = desired();
    return new Cycle(desired, caddy.apply(routes(desired)));
  }

  /** Every instance that should have a route, as Valkey has them now. */
  private List<Instance> desired() {
    List<Instance> desired = new ArrayList<>();
    for (InstanceState state : ROUTED) {
      desired.addAll(store.instances(state));
    }
    return desired;
  }

  /** One route per instance with a port (an instance being provisioned may have none yet). */
  private List<Route> routes(List<Instance> desired) {
    List<Route> routes = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Instance i : desired) {
      if (i.port() > 0 && seen.add(i.id())) {
        routes.add(route(i));
      }
    }
    return routes;
  }

  /** The route of an instance: its demo host → where Caddy reaches it ({@link Endpoints}). */
  public Route route(Instance i) {
    return new Route(i.id(), endpoints.demoHost(i.id()), endpoints.upstream(i.host(), i.port()));
  }

  /** The URL a visitor opens ({@link Endpoints#publicUrl}). */
  public String publicUrl(String instanceId) {
    return endpoints.publicUrl(instanceId);
  }
}
