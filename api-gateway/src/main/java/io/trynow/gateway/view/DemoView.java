package io.trynow.gateway.view;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A demo as the visitor sees it. {@code access_token} appears only in the acquire answer. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Demo")
public record DemoView(
    @Schema(description = "instance id", example = "iabcdefghijklmnopqrs") String id,
    String template,
    @Schema(description = "private URL of the demo") String url,
    @Schema(description = "assigned, terminating, terminated or failed") String status,
    @Schema(description = "RFC 3339 UTC") Instant expiresAt,
    @Schema(description = "hard cap; no extension goes past it, RFC 3339 UTC") Instant maxExpiresAt,
    @Schema(description = "seconds until expiry") Long remainingSeconds,
    @Schema(description = "the acquire request that got this demo") String requestId,
    @Schema(description = "read-only status URL with a short-lived signed ticket") String statusUrl,
    @Schema(description = "Server-Sent Events URL with a short-lived signed ticket")
        String eventsUrl,
    @Schema(description = "returned once: send as Authorization: Bearer to read, extend or release")
        String accessToken) {}
