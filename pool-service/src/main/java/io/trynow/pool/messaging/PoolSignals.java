package io.trynow.pool.messaging;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.trynow.model.InstanceEvent;
import io.trynow.model.InstanceEventKind;
import io.trynow.model.Json;
import io.trynow.model.RequestEvent;
import io.trynow.model.RequestEventKind;
import io.trynow.model.Subjects;
import io.trynow.platform.nats.NatsClient;
import io.trynow.platform.supervisor.Loop;
import io.trynow.pool.queue.PositionNotifier;
import io.trynow.pool.replenish.Replenisher;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * Listens (core NATS, every replica) to the events that move the pool: {@code terminated} / {@code
 * failed} wake the replenisher, so does {@code started} (the container left the engine's work: room
 * for the next provision under max-in-flight); an instance leaving the in-flight count ({@code
 * instance.*.ready}) wakes the replenisher (room for the next provision) and the position notifier;
 * {@code request.*.assigned} (a warm hit, or a hand-over to a waiting visitor) wakes the position
 * notifier and the replenisher lazily (at most one run per {@code Replenisher.LAZY_SPACING}). Hints
 * only: each of those also runs on its own timer. (The ETA's provisioning rate is recorded in
 * Valkey by {@code mark_started}, not here.)
 */
@Singleton
public class PoolSignals implements Loop {

  /** The instance events that move the pool. */
  private static final java.util.List<InstanceEventKind> WAKING =
      java.util.List.of(
          InstanceEventKind.STARTED,
          InstanceEventKind.READY,
          InstanceEventKind.TERMINATED,
          InstanceEventKind.FAILED);

  private final NatsClient nats;
  private final Replenisher replenisher;
  private final PositionNotifier positions;
  private Dispatcher dispatcher;

  public PoolSignals(NatsClient nats, Replenisher replenisher, PositionNotifier positions) {
    this.nats = nats;
    this.replenisher = replenisher;
    this.positions = positions;
  }

  @Override
  public void open() throws Exception {
    Connection c = nats.connection(Duration.ofSeconds(5));
    dispatcher = c.createDispatcher(this::onEvent);
    for (InstanceEventKind k : WAKING) {
      dispatcher.subscribe(Subjects.instanceEvents(k));
    }
    dispatcher.subscribe(Subjects.requestEvents(RequestEventKind.ASSIGNED));
    c.flush(Duration.ofSeconds(5));
  }

  @Override
  public void iterate() throws Exception {
    Thread.sleep(500);
  }

  @Override
  public void close() {
    Dispatcher d = dispatcher;
    dispatcher = null;
    if (d != null) {
      try {
        Connection c = nats.connectionOrNull();
        if (c != null) {
          c.closeDispatcher(d);
        }
      } catch (RuntimeException e) {
        // Connection already closed.
      }
    }
  }

  void onEvent(Message m) {
    try {
      if (Subjects.isInstanceEvent(m.getSubject())) {
        InstanceEvent e = Json.read(m.getData(), InstanceEvent.class);
        onInstance(e.kind(), e.template());
      } else {
        RequestEvent e = Json.read(m.getData(), RequestEvent.class);
        if (e.kind() == RequestEventKind.ASSIGNED) {
          onInstance(InstanceEventKind.ASSIGNED, e.template());
        }
      }
    } catch (IllegalArgumentException ex) {
      // not an event: nothing to wake
    }
  }

  private void onInstance(InstanceEventKind kind, String template) {
    switch (kind) {
      case TERMINATED, FAILED -> {
        if (template != null) {
          replenisher.wake(template);
        }
        positions.wake();
      }
      case STARTED -> {
        // The container left the engine's work (max-in-flight counts requested + provisioning):
        // room for the next provision while its route is synced.
        if (template != null) {
          replenisher.wake(template);
        }
      }
      case READY -> {
        // An instance left the in-flight count: room for the next provision. Without this wake-up
        // a flash crowd's queue refilled in batches of max-in-flight, one per replenish-interval.
        if (template != null) {
          replenisher.wake(template);
        }
        positions.wake();
      }
      case ASSIGNED -> {
        // A warm hit took a ready instance (the gateway's fast path, up to hundreds a second), or
        // a started one went straight to a waiting visitor (no room freed: one fewer waiting too):
        // a replenish soon, not one run per event (Replenisher.wakeLazily).
        if (template != null) {
          replenisher.wakeLazily(template);
        }
        positions.wake();
      }
      default -> {}
    }
  }
}
