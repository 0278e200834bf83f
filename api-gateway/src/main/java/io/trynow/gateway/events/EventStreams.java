package io.trynow.gateway.events;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.api.MessageInfo;
import io.trynow.gateway.config.GatewayConfig;
import io.trynow.gateway.config.GatewaySettings;
import io.trynow.gateway.outcome.Refusal;
import io.trynow.model.InstanceEvent;
import io.trynow.model.InstanceEventKind;
import io.trynow.model.InstanceState;
import io.trynow.model.RequestEvent;
import io.trynow.model.RequestEventKind;
import io.trynow.model.Subjects;
import io.trynow.platform.nats.NatsClient;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.RequestRecord;
import io.trynow.platform.state.RequestState;
import io.trynow.platform.state.Store;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The Server-Sent Event streams, backed by {@code TRYNOW_EVENTS}. Each event's SSE id is its stream
 * sequence, so a reconnect with {@code Last-Event-ID} resumes exactly after the last event the
 * client saw. Between events: heartbeat comments, an {@code expiring} warning computed from the
 * demo's expiry, and a store re-read (events are hints; the store is the truth). Every stream ends
 * at the configured maximum duration (no connection is unbounded) or when its subject ends.
 */
@Singleton
public class EventStreams {

  private static final Logger LOG = Logger.getLogger(EventStreams.class);

  /** How long a request's stream waits after {@code assigned} before it follows the demo. */
  static final Duration FOLLOW_AFTER_ASSIGNED = Duration.ofSeconds(2);

  /** How often that wait checks whether the visitor closed the stream. */
  static final Duration CLOSE_CHECK = Duration.ofMillis(100);

  private final Store store;
  private final NatsClient nats;
  private final GatewayConfig config;

  public EventStreams(Store store, NatsClient nats, GatewaySettings settings) {
    this.store = store;
    this.nats = nats;
    this.config = settings.config();
  }

  /** Parses Last-Event-ID: empty = 0; anything but a stream sequence is a 400. */
  public static long lastEventId(String header) {
    if (header == null || header.isBlank()) {
      return 0;
    }
    String h = header.strip();
    if (!h.matches("\\d{1,18}")) {
      throw Refusal.badRequest("Last-Event-ID must be an event id sent by this stream");
    }
    return Long.parseLong(h);
  }

  Connection connection() {
    try {
      return nats.connection(Duration.ofSeconds(2));
    } catch (TimeoutException | IllegalStateException e) {
      throw Refusal.unavailable("events are unavailable right now", 5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Refusal.unavailable("events are unavailable right now", 5);
    }
  }

  /** A demo's events until it ends or the maximum duration passes. */
  void demo(String id, long lastId, SseOut out) throws Exception {
    Instant deadline = Instant.now().plus(config.sseMaxDuration());
    Connection c = connection();
    try (EventFeed<InstanceEvent> feed = EventFeed.instance(c, id, lastId > 0 ? lastId + 1 : -1)) {
      Instance now = store.instance(id).orElse(null);
      if (now == null) {
        return;
      }
      if (lastId == 0 && !out.event(null, "state", stateView(now))) {
        return;
      }
      if (!now.state().isLive() && lastId == 0) {
        return;
      }
      follow(feed, id, now.expiresAt(), deadline, out);
    }
  }

  /**
   * A request's events (queued, position, then assigned or expired); once assigned, the demo's
   * events follow in the same stream. Positions are paced ({@link PositionPacer}, {@code
   * sse-position-interval}): one overtaken by a newer event within the interval is not sent, so a
   * stream (or a resume with Last-Event-ID) tells every event but such stale positions.
   *
   * @param known the request as the endpoint read it to authorise the stream (null: not yet in the
   *     store), so that opening a stream costs one store read, not two: in a flash crowd every
   *     queued visitor opens its stream at once, and each sequential round trip delays the first
   *     event. A state older by one store call is safe: only an {@code assigned} record changes
   *     where the stream starts, and a stream started from the request's first event replays the
   *     {@code assigned} event too.
   */
  void request(String rid, RequestRecord known, long lastId, SseOut out) throws Exception {
    Instant deadline = Instant.now().plus(config.sseMaxDuration());
    Connection c = connection();
    RequestRecord r = known != null ? known : store.request(rid).orElse(null);
    long assignedSeq =
        r != null && r.state() == RequestState.ASSIGNED && !r.checking()
            ? assignedSequence(c, rid)
            : 0;
    String instanceId = null;
    boolean toldAssigned = false;
    long from = lastId;
    if (assignedSeq > 0 && lastId >= assignedSeq) {
      instanceId = r.instanceId();
    } else {
      try (EventFeed<RequestEvent> feed = EventFeed.request(c, rid, lastId > 0 ? lastId + 1 : 0)) {
        Instant nextCheck = Instant.now().plus(config.sseHeartbeat());
        PositionPacer<EventFeed.Event<RequestEvent>> positions =
            new PositionPacer<>(config.ssePositionInterval());
        while (instanceId == null && Instant.now().isBefore(deadline) && out.isOpen()) {
          Duration wait = until(positions.wakeAt(min(nextCheck, deadline)));
          Optional<EventFeed.Event<RequestEvent>> e = feed.next(wait);
          if (e.isEmpty()) {
            e = Optional.ofNullable(positions.takeDue(Instant.now()));
          } else if (e.get().event().kind() == RequestEventKind.UNKNOWN) {
            continue; // a newer publisher's kind: not for this version's visitors
          } else if (e.get().event().kind() != RequestEventKind.POSITION) {
            positions.overtaken();
          } else if (!positions.tellNow(e.get(), Instant.now())) {
            continue; // held: told when the interval is over, unless a newer event comes first
          }
          if (e.isPresent()) {
            RequestEvent ev = e.get().event();
            if (!out.event(e.get().sequence(), ev.kind().wire(), EventView.of(ev))) {
              return;
            }
            if (ev.kind() == RequestEventKind.POSITION || ev.kind() == RequestEventKind.QUEUED) {
              positions.told(Instant.now());
            }
            from = e.get().sequence();
            if (ev.kind().endsWithoutDemo()) {
              return;
            }
            if (ev.kind() == RequestEventKind.ASSIGNED && ev.instanceId() != null) {
              instanceId = ev.instanceId();
              toldAssigned = true;
            }
            continue;
          }
          if (!Instant.now().isBefore(nextCheck)) {
            nextCheck = Instant.now().plus(config.sseHeartbeat());
            if (!out.comment("heartbeat")) {
              return;
            }
            // Level check: the request may have ended without its event reaching the stream.
            RequestRecord now = store.request(rid).orElse(null);
            if (now == null) {
              return;
            }
            if (now.state() == RequestState.EXPIRED
                || now.state() == RequestState.FAILED
                || now.state() == RequestState.UNAVAILABLE) {
              out.event(null, now.state().wire(), requestView(now));
              return;
            }
            if (now.state() == RequestState.ASSIGNED
                && now.instanceId() != null
                && !now.checking()) {
              Instance i = store.instance(now.instanceId()).orElse(null);
              if (i != null) {
                out.event(null, "assigned", stateView(i));
              }
              instanceId = now.instanceId();
              from = -1;
            }
          }
        }
      }
    }
    if (instanceId == null || !out.isOpen() || !Instant.now().isBefore(deadline)) {
      return;
    }
    if (toldAssigned && from > 0 && !staysAfterAssigned(out, deadline)) {
      return;
    }
    Instance i = store.instance(instanceId).orElse(null);
    try (EventFeed<InstanceEvent> feed =
        EventFeed.instance(c, instanceId, from > 0 ? from + 1 : -1)) {
      follow(feed, instanceId, i == null ? null : i.expiresAt(), deadline, out);
    }
  }

  /**
   * After this stream told its visitor {@code assigned}: whether the visitor still listens after
   * {@link #FOLLOW_AFTER_ASSIGNED} (or the stream's end, if sooner). The widget closes its stream
   * on {@code assigned} (one status read, then it opens the demo), so most streams end here, and
   * following the demo at once cost each one a store read and an ordered JetStream consumer (a
   * consumer create on the server, a feed) that lived until the next heartbeat noticed the closed
   * connection: in a flash crowd, one per queued visitor, all while the engine needs the CPU. A
   * visitor who stays loses nothing: the demo's feed starts at the stream sequence after {@code
   * assigned}, so its events of the wait are replayed, at most that much later.
   */
  private static boolean staysAfterAssigned(SseOut out, Instant deadline)
      throws InterruptedException {
    Instant until = min(Instant.now().plus(FOLLOW_AFTER_ASSIGNED), deadline);
    while (out.isOpen() && Instant.now().isBefore(until)) {
      Thread.sleep(Math.min(CLOSE_CHECK.toMillis(), Math.max(1, until(until).toMillis())));
    }
    return out.isOpen() && Instant.now().isBefore(deadline);
  }

  private void follow(
      EventFeed<InstanceEvent> feed, String id, Instant expiresAt, Instant deadline, SseOut out)
      throws Exception {
    Instant nextBeat = Instant.now().plus(config.sseHeartbeat());
    Instant warnedFor = null;
    while (out.isOpen()) {
      Instant now = Instant.now();
      if (!now.isBefore(deadline)) {
        return;
      }
      Instant warnAt = expiresAt == null ? null : expiresAt.minus(config.expiringWarning());
      if (warnAt != null && !now.isBefore(warnAt) && !expiresAt.equals(warnedFor)) {
        warnedFor = expiresAt;
        if (!out.event(null, "expiring", new ExpiringView(id, expiresAt, remaining(expiresAt)))) {
          return;
        }
        continue;
      }
      Instant wakeAt = min(nextBeat, deadline);
      if (warnAt != null && !expiresAt.equals(warnedFor)) {
        wakeAt = min(wakeAt, warnAt);
      }
      Optional<EventFeed.Event<InstanceEvent>> e = feed.next(until(wakeAt));
      if (e.isPresent()) {
        InstanceEvent ev = e.get().event();
        if (ev.kind() == InstanceEventKind.UNKNOWN) {
          continue; // a newer publisher's kind: not for this version's visitors
        }
        if (!out.event(e.get().sequence(), ev.kind().wire(), EventView.of(ev))) {
          return;
        }
        if (ev.expiresAtMs() != null) {
          expiresAt = Instant.ofEpochMilli(ev.expiresAtMs());
        }
        if (ev.kind().ends()) {
          return;
        }
        continue;
      }
      if (!Instant.now().isBefore(nextBeat)) {
        nextBeat = Instant.now().plus(config.sseHeartbeat());
        if (!out.comment("heartbeat")) {
          return;
        }
        Instance i = store.instance(id).orElse(null);
        if (i == null
            || i.state() == InstanceState.TERMINATED
            || i.state() == InstanceState.FAILED) {
          if (i != null) {
            out.event(null, i.state().wire(), stateView(i));
          }
          return;
        }
        if (i.expiresAt() != null) {
          expiresAt = i.expiresAt();
        }
      }
    }
  }

  /** Sequence of the request's {@code assigned} event, 0 when the stream has none. */
  private static long assignedSequence(Connection c, String rid) {
    try {
      MessageInfo m =
          c.jetStreamManagement()
              .getLastMessage(
                  Subjects.STREAM_EVENTS, Subjects.requestEvent(rid, RequestEventKind.ASSIGNED));
      return m == null ? 0 : m.getSeq();
    } catch (JetStreamApiException e) {
      return 0;
    } catch (IOException e) {
      LOG.debugf("last assigned event of %s not read: %s", rid, e.toString());
      return 0;
    }
  }

  static EventView stateView(Instance i) {
    boolean assigned = i.state() == InstanceState.ASSIGNED;
    return new EventView(
        "state",
        i.id(),
        i.requestId(),
        i.template(),
        i.state().wire(),
        assigned ? i.url() : null,
        assigned ? i.expiresAt() : null,
        null,
        null,
        i.lastError(),
        Instant.now());
  }

  static EventView requestView(RequestRecord r) {
    return new EventView(
        r.state().wire(),
        r.instanceId(),
        r.id(),
        r.template(),
        r.state().wire(),
        null,
        null,
        r.position() > 0 ? r.position() : null,
        null,
        null,
        Instant.now());
  }

  /** The {@code expiring} warning. */
  @com.fasterxml.jackson.databind.annotation.JsonNaming(
      com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
  record ExpiringView(String instanceId, Instant expiresAt, long remainingSeconds) {}

  private static long remaining(Instant t) {
    return Math.max(0, Duration.between(Instant.now(), t).toSeconds());
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static Duration until(Instant t) {
    Duration d = Duration.between(Instant.now(), t);
    return d.isNegative() || d.isZero() ? Duration.ofMillis(1) : d;
  }
}
