package io.trynow.platform.messaging;

import io.trynow.model.InstanceEvent;
import io.trynow.model.InstanceEventKind;
import io.trynow.model.RequestEvent;
import io.trynow.platform.state.Instance;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Events from the instance record a store call returned: {@link #of} builds an instance event (the
 * only place an {@link InstanceEvent} is assembled), {@link #assigned} a request's hand-over,
 * {@link #publish} sends the former.
 */
@ApplicationScoped
public class InstanceEvents {

  private final Publisher publisher;

  InstanceEvents(Publisher publisher) {
    this.publisher = publisher;
  }

  /**
   * The event {@code kind} of {@code inst} as the store returned it: its state, version, request,
   * URL and expiry; {@code reason}, or when null the record's last error.
   */
  public static InstanceEvent of(InstanceEventKind kind, Instance inst, String reason) {
    return new InstanceEvent(
        kind,
        inst.id(),
        inst.template(),
        inst.state().wire(),
        inst.version(),
        System.currentTimeMillis(),
        inst.requestId(),
        inst.url(),
        inst.expiresAt() == null ? null : inst.expiresAt().toEpochMilli(),
        reason != null ? reason : inst.lastError());
  }

  /** The request's {@code assigned} event: {@code rid} got {@code inst} (URL, expiry). */
  public static RequestEvent assigned(String rid, Instance inst) {
    return RequestEvent.assigned(
        rid,
        inst.template(),
        inst.id(),
        inst.url(),
        inst.expiresAt() == null ? null : inst.expiresAt().toEpochMilli());
  }

  /**
   * The events of a warm hand-over ({@code rid} took the ready {@code inst}): the instance's {@code
   * assigned} (msg id {@code <id>:<version>:assigned}) and the request's {@code assigned}, in that
   * order. One place for both publishers of a warm assign: pool-service (the queue path) and the
   * gateway (the fast path, {@code acquire_ready}); their msg ids make a repeat harmless.
   */
  public static java.util.List<io.trynow.model.WireMessage> warmAssigned(
      String rid, Instance inst) {
    return java.util.List.of(of(InstanceEventKind.ASSIGNED, inst, null), assigned(rid, inst));
  }

  /**
   * Publishes {@link #of}: msg id {@code <id>:<version>:<kind>}, so a repeat is de-duplicated.
   *
   * @throws MessagingException as {@link Publisher#publish(io.trynow.model.WireMessage)}
   */
  public void publish(InstanceEventKind kind, Instance inst, String reason) {
    publisher.publish(of(kind, inst, reason));
  }
}
