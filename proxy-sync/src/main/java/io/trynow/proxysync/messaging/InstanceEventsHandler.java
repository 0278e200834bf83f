package io.trynow.proxysync.messaging;

import io.trynow.model.Headers;
import io.trynow.model.Ids;
import io.trynow.model.InstanceEvent;
import io.trynow.model.InstanceState;
import io.trynow.platform.messaging.Delivery;
import io.trynow.platform.messaging.MessageHandler;
import io.trynow.platform.messaging.Outcome;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.Store;
import io.trynow.proxysync.config.ProxySyncConfig;
import io.trynow.proxysync.reconcile.ReadyMarker;
import io.trynow.proxysync.reconcile.RouteSync;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.MDC;

/**
 * Instance events ({@code InstanceEvent}): on {@code started}, ensure the route, confirm it in
 * Caddy's config (at once when it was written ahead, else by a sync cycle), then {@code mark_ready}
 * and publish the result; on {@code terminating}, {@code terminated} or {@code failed}, sync so the
 * route goes. Other kinds are not about routes. Events are hints: the instance is re-read from
 * Valkey, and the route set comes from Valkey too.
 */
@ApplicationScoped
public class InstanceEventsHandler implements MessageHandler {

  private final Store store;
  private final RouteSync routes;
  private final ReadyMarker ready;
  private final Duration confirmTimeout;

  InstanceEventsHandler(Store store, RouteSync routes, ReadyMarker ready, ProxySyncConfig config) {
    this.store = store;
    this.routes = routes;
    this.ready = ready;
    this.confirmTimeout = config.confirmTimeout();
  }

  @Override
  public Outcome handle(Delivery delivery) throws InterruptedException {
    InstanceEvent event;
    try {
      event = delivery.json(InstanceEvent.class);
    } catch (IllegalArgumentException e) {
      return Outcome.giveUp("malformed instance event on " + delivery.subject());
    }
    String id = event.instanceId();
    if (!Ids.isInstance(id)) {
      return Outcome.giveUp("not an instance event: " + delivery.subject());
    }
    MDC.put(Headers.MDC_INSTANCE_ID, id);
    try {
      return switch (event.kind()) {
        case STARTED -> onStarted(id);
        case TERMINATING, TERMINATED, FAILED -> onGone();
        default -> Outcome.done();
      };
    } finally {
      MDC.remove(Headers.MDC_INSTANCE_ID);
    }
  }

  private Outcome onStarted(String id) throws InterruptedException {
    Optional<Instance> before = store.instance(id);
    if (before.isEmpty() || before.get().state() != InstanceState.STARTED) {
      return Outcome.done(); // already ready/assigned, or gone: nothing left for this event
    }
    if (routes.routedNow(before.get())) {
      // written ahead while the container started (RouteSync): no cycle to wait for
      ready.markReady(id, before.get().template(), "event");
      // ...but a slot freed: the instances prepared behind it have their ports now and need their
      // routes ahead of their own started events. Ask for a cycle without waiting for it (it
      // coalesces with others and keeps min-write-interval); without it the next cycle came only
      // from an instance that missed its route, or from the reconcile timer (crowd bench: routes
      // written every ~2.3 s, instances handed up to 2 s after healthy)
      routes.request();
      return Outcome.done();
    }
    CompletableFuture<RouteSync.Cycle> running = routes.running();
    if (running != null) {
      // a cycle that read Valkey before this event may be writing the route right now (written
      // ahead while the container started): its result, not the next cycle's (a crowd bench run
      // handed such instances 1-1.5 s late: the next cycle came min-write-interval later)
      try {
        if (running.get(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS).routed(id)) {
          ready.markReady(id, before.get().template(), "event");
          return Outcome.done();
        }
      } catch (ExecutionException | TimeoutException e) {
        // that cycle failed or hangs: ask for a cycle of our own below
      }
    }
    RouteSync.Cycle cycle;
    try {
      cycle = routes.request().get(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return Outcome.retryLater("route sync failed: " + e.getCause());
    } catch (TimeoutException e) {
      return Outcome.retryLater("route not confirmed within " + confirmTimeout);
    }
    if (!cycle.routed(id)) {
      Optional<Instance> now = store.instance(id);
      return now.isPresent() && now.get().state() == InstanceState.STARTED
          ? Outcome.retryLater("route of " + id + " not in caddy's config yet")
          : Outcome.done();
    }
    ready.markReady(id, before.get().template(), "event");
    return Outcome.done();
  }

  private Outcome onGone() throws InterruptedException {
    try {
      routes.request().get(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS);
      return Outcome.done();
    } catch (ExecutionException e) {
      return Outcome.retryLater("route sync failed: " + e.getCause());
    } catch (TimeoutException e) {
      return Outcome.retryLater("route removal not confirmed within " + confirmTimeout);
    }
  }
}
