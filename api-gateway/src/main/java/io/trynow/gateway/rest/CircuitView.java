package io.trynow.gateway.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.trynow.platform.state.Circuit;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A template's failure circuit, as {@code /v1/templates} and {@code /admin/pools} show it. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Circuit")
public record CircuitView(
    @Schema(description = "closed (provisioning normally), open, or half_open (one probe)")
        String state,
    @Schema(description = "image_missing or failures, while not closed") String reason,
    @Schema(description = "consecutive provision failures") long failures,
    @Schema(description = "while open: when the next probe may be made") Instant openUntil,
    @Schema(description = "seconds before a new acquire may succeed (0 when closed)")
        long retryAfterSeconds,
    @Schema(description = "the last provision error") String lastError,
    Instant lastErrorAt) {

  public static CircuitView of(Circuit c, Instant now) {
    return new CircuitView(
        c.state().wire(),
        c.degraded() ? c.reason() : null,
        c.failures(),
        c.state() == Circuit.State.OPEN ? c.openUntil() : null,
        c.retryAfter(now).toSeconds(),
        c.lastError(),
        c.lastErrorAt());
  }
}
