package io.trynow.pool.messaging;

import io.trynow.model.RequestEvent;
import io.trynow.model.WireMessage;
import io.trynow.platform.messaging.InstanceEvents;
import io.trynow.platform.messaging.MessagingException;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.state.Instance;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * The events pool-service publishes to {@code TRYNOW_EVENTS}: {@code request.<rid>.queued /
 * position / assigned / expired / unavailable} and {@code instance.<id>.assigned} for warm
 * acquires. Each has a deterministic msg id (the records say which), so N replicas (or a
 * redelivery) publish it once. Events are hints: a failed publish is logged, never fatal (SSE
 * streams re-read the store).
 */
@Singleton
public class PoolEvents {

  private static final Logger LOG = Logger.getLogger(PoolEvents.class);

  private final Publisher publisher;

  public PoolEvents(Publisher publisher) {
    this.publisher = publisher;
  }

  public void queued(String rid, String template, long position, long etaSeconds) {
    hint(RequestEvent.queued(rid, template, position, etaSeconds));
  }

  public void position(String rid, String template, long position, long etaSeconds) {
    hint(RequestEvent.position(rid, template, position, etaSeconds));
  }

  public void expired(String rid, String template) {
    hint(RequestEvent.expired(rid, template));
  }

  /** The request was dropped from the queue: its template's failure circuit opened. */
  public void unavailable(String rid, String template) {
    hint(RequestEvent.unavailable(rid, template));
  }

  /** A warm acquire: the instance's {@code assigned} and the request's {@code assigned}. */
  public void assigned(Instance i, String rid) {
    InstanceEvents.warmAssigned(rid, i).forEach(this::hint);
  }

  private void hint(WireMessage event) {
    try {
      publisher.publish(event);
    } catch (MessagingException e) {
      LOG.warnf("event %s not published: %s", event.subject(), e.getMessage());
    }
  }
}
