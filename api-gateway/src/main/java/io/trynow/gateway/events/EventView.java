package io.trynow.gateway.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.trynow.model.InstanceEvent;
import io.trynow.model.RequestEvent;
import java.time.Instant;

/** The data of one Server-Sent Event, as the visitor sees it. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventView(
    String kind,
    String instanceId,
    String requestId,
    String template,
    String state,
    String url,
    Instant expiresAt,
    Long position,
    Long etaSeconds,
    String reason,
    Instant at) {

  static EventView of(InstanceEvent e) {
    return new EventView(
        e.kind().wire(),
        e.instanceId(),
        e.requestId(),
        e.template(),
        e.state(),
        e.url(),
        instant(e.expiresAtMs()),
        null,
        null,
        e.reason(),
        Instant.ofEpochMilli(e.atMs()));
  }

  /** A request event; its {@code state} is its kind (a waiting request has no instance state). */
  static EventView of(RequestEvent e) {
    return new EventView(
        e.kind().wire(),
        e.instanceId(),
        e.requestId(),
        e.template(),
        e.kind().wire(),
        e.url(),
        instant(e.expiresAtMs()),
        e.position() == null ? null : e.position().longValue(),
        e.etaSeconds(),
        e.reason(),
        Instant.ofEpochMilli(e.atMs()));
  }

  private static Instant instant(Long epochMs) {
    return epochMs == null ? null : Instant.ofEpochMilli(epochMs);
  }
}
