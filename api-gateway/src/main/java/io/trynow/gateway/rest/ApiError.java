package io.trynow.gateway.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The one error body: a stable code, a human sentence, and the request id to quote in a report. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@Schema(name = "Error")
public record ApiError(
    @Schema(description = "stable machine-readable code, e.g. rate_limited") String error,
    @Schema(description = "what went wrong, for humans") String message,
    @Schema(description = "id of this HTTP request (also in the Trynow-Request-Id header)")
        String requestId) {}
