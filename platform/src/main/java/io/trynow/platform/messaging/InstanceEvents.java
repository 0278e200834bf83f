package io.trynow.platform.messaging;

import io.trynow.model.InstanceEvent;
import io.trynow.platform.state.Instance;
import jakarta.enterprise.context.ApplicationScoped;

/** Publishes {@code instance.<id>.<kind>} events from the record a store call returned. */
@ApplicationScoped
public class InstanceEvents {

  private final Publisher publisher;

  InstanceEvents(Publisher publisher) {
    this.publisher = publisher;
  }

  /** Publishes with msg id {@code <id>:<version>:<kind>}: a repeat is de-duplicated. */
  public void publish(String kind, Instance inst, String reason) {
    publisher.publishEvent(
        new InstanceEvent(
            kind,
            inst.id(),
            inst.template(),
            inst.state().wire(),
            inst.version(),
            System.currentTimeMillis(),
            inst.requestId(),
            inst.url(),
            inst.expiresAt() == null ? null : inst.expiresAt().toEpochMilli(),
            null,
            null,
            reason != null ? reason : inst.lastError()));
  }
}
