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
 * <p>The spacing delays writes, never confirmations: while it runs, a request is answered at once
 * when Caddy already holds every route but those of instances still being provisioned (a
 * <em>confirmation</em>: one read of Valkey and of Caddy, nothing written); only a missing route of
 * a started instance, or a route to remove, waits for the write. Routes are written ahead: an
 * instance being provisioned that has its host and port is routed already (nobody knows its URL
 * before {@code mark_ready}, so an upstream that does not answer yet is never visited), which is
 * why in a flash crowd the route of a new instance is usually in Caddy when it reports started, and
 * it is handed to its visitor within one coalesce window instead of one write interval.
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

  /**
   * Runs one cycle if one was requested within {@code wait} (or at once when {@code force}). Called
   * by the sync loop only. While the write interval since the last write runs, requests are
   * answered by confirmations when Caddy already holds what they wait for, and a write waits for
   * the interval's end (answering every request that arrived meanwhile).
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
    List<CompletableFuture<Cycle>> forWrite = new ArrayList<>();
    if (force) {
      return write(forWrite);
    }
    // let the burst arrive
    TimeUnit.NANOSECONDS.sleep(config.coalesceWindow().toNanos());
    while (true) {
      long spacing = config.minWriteInterval().toNanos() - (System.nanoTime() - lastWriteNanos);
      if (spacing <= 0) {
        return write(forWrite);
      }
      // Each write is a full config reload in Caddy, which closes every idle keep-alive
      // connection to the demos: writes wait for the interval, confirmations need not.
      CompletableFuture<Cycle> asked = take();
      forWrite.add(asked);
      Peek peek;
      try {
        peek = peek();
      } catch (RuntimeException | Error e) {
        failed(forWrite, e);
        throw e;
      }
      if (peek.confirmed() != null) {
        metrics.counter(ProxySyncMetrics.SYNC_CYCLES, "outcome", "confirmed").increment();
        forWrite.forEach(f -> f.complete(peek.confirmed()));
        forWrite.clear();
        if (!peek.preRoutesMissing()) {
          return peek.confirmed();
        }
      }
      // something to write at the interval's end; a new request meanwhile is looked at first
      synchronized (this) {
        if (!pending) {
          TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, spacing));
        }
      }
      if (pending) {
        TimeUnit.NANOSECONDS.sleep(config.coalesceWindow().toNanos());
      }
    }
  }

  /** The requests so far; later ones get the next cycle. */
  private synchronized CompletableFuture<Cycle> take() {
    pending = false;
    CompletableFuture<Cycle> mine = next;
    next = new CompletableFuture<>();
    return mine;
  }

  /** A full cycle (read, write the difference) for every request so far and {@code waiting}. */
  private Cycle write(List<CompletableFuture<Cycle>> waiting) {
    waiting.add(take());
    try {
      Cycle cycle = cycle();
      if (cycle.applied().writes() > 0) {
        lastWriteNanos = System.nanoTime();
      }
      metrics.counter(ProxySyncMetrics.SYNC_CYCLES, "outcome", "ok").increment();
      waiting.forEach(f -> f.complete(cycle));
      return cycle;
    } catch (RuntimeException | Error e) {
      failed(waiting, e);
      throw e;
    }
  }

  private void failed(List<CompletableFuture<Cycle>> waiting, Throwable e) {
    metrics.counter(ProxySyncMetrics.SYNC_CYCLES, "outcome", "failed").increment();
    waiting.forEach(f -> f.completeExceptionally(e));
  }

  /**
   * A look without a write.
   *
   * @param confirmed a cycle answering every request (Caddy holds every route but, at most, some of
   *     instances still being provisioned), or null when a write is needed first
   * @param preRoutesMissing routes of instances being provisioned are still to be written
   */
  private record Peek(Cycle confirmed, boolean preRoutesMissing) {}

  private Peek peek() {
    List<Instance> desired = desired();
    CaddyRoutes.Current now = caddy.current();
    List<Route> all = routes(desired);
    if (caddy.holds(now, all)) {
      return new Peek(confirmed(desired, now), false);
    }
    // without the routes written ahead that are not in Caddy yet: does it hold all the rest?
    java.util.Set<String> ahead = new java.util.HashSet<>();
    for (Instance i : desired) {
      if (i.state() == InstanceState.PROVISIONING && !now.routed().contains(i.id())) {
        ahead.add(i.id());
      }
    }
    List<Route> rest = all.stream().filter(r -> !ahead.contains(r.instanceId())).toList();
    if (!ahead.isEmpty() && caddy.holds(now, rest)) {
      return new Peek(confirmed(desired, now), true);
    }
    return new Peek(null, true);
  }

  private static Cycle confirmed(List<Instance> desired, CaddyRoutes.Current now) {
    return new Cycle(desired, new CaddyRoutes.Applied(now.routed(), 0, false));
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
