package io.trynow.gateway.events;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.trynow.model.InstanceEvent;
import io.trynow.model.Json;
import io.trynow.model.RequestEvent;
import io.trynow.model.Subjects;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * An ordered, ephemeral JetStream consumer over one id's events in {@code TRYNOW_EVENTS}: from a
 * stream sequence (resume with Last-Event-ID), from the start, or only new ones. No acks; the
 * server drops it when it is closed.
 */
final class EventFeed<T> implements AutoCloseable {

  /** One event and its stream sequence (the SSE id). */
  record Event<T>(long sequence, T event) {}

  private final JetStreamSubscription sub;
  private final Class<T> type;

  private EventFeed(JetStreamSubscription sub, Class<T> type) {
    this.sub = sub;
    this.type = type;
  }

  /** One instance's events ({@link Subjects#instanceEvents(String)}). */
  static EventFeed<InstanceEvent> instance(Connection c, String id, long startSequence)
      throws IOException, JetStreamApiException {
    return open(c, Subjects.instanceEvents(id), startSequence, InstanceEvent.class);
  }

  /** One request's events ({@link Subjects#requestEvents(String)}). */
  static EventFeed<RequestEvent> request(Connection c, String rid, long startSequence)
      throws IOException, JetStreamApiException {
    return open(c, Subjects.requestEvents(rid), startSequence, RequestEvent.class);
  }

  /**
   * @param startSequence first sequence to deliver; 0 = all of the subject's events; -1 = only new
   */
  private static <T> EventFeed<T> open(
      Connection c, String filterSubject, long startSequence, Class<T> type)
      throws IOException, JetStreamApiException {
    ConsumerConfiguration.Builder cc = ConsumerConfiguration.builder();
    if (startSequence > 0) {
      cc.deliverPolicy(DeliverPolicy.ByStartSequence).startSequence(startSequence);
    } else if (startSequence == 0) {
      cc.deliverPolicy(DeliverPolicy.All);
    } else {
      cc.deliverPolicy(DeliverPolicy.New);
    }
    PushSubscribeOptions o =
        PushSubscribeOptions.builder().stream(Subjects.STREAM_EVENTS)
            .ordered(true)
            .configuration(cc.build())
            .build();
    return new EventFeed<>(c.jetStream().subscribe(filterSubject, o), type);
  }

  /** The next event, waiting up to {@code wait}; malformed messages are skipped. */
  Optional<Event<T>> next(Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return Optional.empty();
      }
      Message m = sub.nextMessage(Duration.ofNanos(Math.max(left, 1_000_000)));
      if (m == null) {
        return Optional.empty();
      }
      if (!m.isJetStream()) {
        continue;
      }
      try {
        return Optional.of(
            new Event<>(m.metaData().streamSequence(), Json.read(m.getData(), type)));
      } catch (IllegalArgumentException e) {
        // Not an event we can show: skip it.
      }
    }
  }

  @Override
  public void close() {
    try {
      sub.unsubscribe();
    } catch (RuntimeException e) {
      // Connection closing or already unsubscribed: nothing left to release.
    }
  }
}
