package io.trynow.gateway.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.trynow.model.InstanceEvent;
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
        e.kind(),
        e.instanceId(),
        e.requestId(),
        e.template(),
        e.state(),
        e.url(),
        e.expiresAtMs() == null ? null : Instant.ofEpochMilli(e.expiresAtMs()),
        e.position() == null ? null : e.position().longValue(),
        e.etaSeconds(),
        e.reason(),
        Instant.ofEpochMilli(e.atMs()));
  }
}
