package io.trynow.gateway.view;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Answer 202 of {@code POST /v1/demos}: no demo yet. {@code status} is {@code queued} (with
 * position and ETA) or {@code pending} (the pool has not answered within the wait; follow {@code
 * status_url}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Queued")
public record QueuedView(
    String requestId,
    @Schema(description = "queued or pending") String status,
    String template,
    @Schema(description = "1-based place in the queue") Long position,
    @Schema(description = "estimated wait in seconds") Long etaSeconds,
    String statusUrl,
    String eventsUrl,
    @Schema(description = "returned once: send as Authorization: Bearer") String accessToken) {}
