package io.trynow.pool.messaging;

import io.trynow.model.InstanceEvent;
import io.trynow.model.Json;
import io.trynow.model.Subjects;
import io.trynow.platform.messaging.MessagingException;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.state.Instance;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * The events pool-service publishes to {@code TRYNOW_EVENTS}: {@code request.<rid>.queued /
 * position / assigned / expired / unavailable} and {@code instance.<id>.assigned} for warm
 * acquires. Each has a deterministic msg id, so N replicas (or a redelivery) publish it once.
 * Events are hints: a failed publish is logged, never fatal (SSE streams re-read the store).
 */
@Singleton
public class PoolEvents {

  private static final Logger LOG = Logger.getLogger(PoolEvents.class);

  private final Publisher publisher;

  public PoolEvents(Publisher publisher) {
    this.publisher = publisher;
  }

  public void queued(String rid, String template, long position, long etaSeconds) {
    request(rid, "queued", template, null, null, null, position, etaSeconds, "queued:" + position);
  }

  public void position(String rid, String template, long position, long etaSeconds) {
    request(
        rid, "position", template, null, null, null, position, etaSeconds, "position:" + position);
  }

  public void expired(String rid, String template) {
    request(rid, "expired", template, null, null, null, null, null, "expired");
  }

  /** The request was dropped from the queue: its template's failure circuit opened. */
  public void unavailable(String rid, String template) {
    request(rid, "unavailable", template, null, null, null, null, null, "unavailable");
  }

  /** A warm acquire: the instance's {@code assigned} and the request's {@code assigned}. */
  public void assigned(Instance i, String rid) {
    long now = System.currentTimeMillis();
    Long expires = i.expiresAt() == null ? null : i.expiresAt().toEpochMilli();
    try {
      publisher.publishEvent(
          new InstanceEvent(
              "assigned",
              i.id(),
              i.template(),
              i.state().wire(),
              i.version(),
              now,
              rid,
              i.url(),
              expires,
              null,
              null,
              null));
    } catch (MessagingException e) {
      LOG.warnf("event assigned of %s not published: %s", i.id(), e.getMessage());
    }
    request(rid, "assigned", i.template(), i.id(), i.url(), expires, null, null, "assigned");
  }

  private void request(
      String rid,
      String kind,
      String template,
      String instanceId,
      String url,
      Long expiresAtMs,
      Long position,
      Long eta,
      String idSuffix) {
    InstanceEvent e =
        new InstanceEvent(
            kind,
            instanceId,
            template,
            kind,
            0,
            System.currentTimeMillis(),
            rid,
            url,
            expiresAtMs,
            position == null ? null : position.intValue(),
            eta,
            null);
    try {
      // Published by hand: publishEvent would route an event with an instance id to the
      // instance's subject.
      publisher.publish(Subjects.requestEvent(rid, kind), rid + ":" + idSuffix, rid, Json.write(e));
    } catch (MessagingException ex) {
      LOG.warnf("event %s of request %s not published: %s", kind, rid, ex.getMessage());
    }
  }
}
