package io.trynow.gateway.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** {@code GET /v1/templates}: a template and its public availability figures. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@Schema(name = "Template")
public record TemplateView(
    String name,
    @Schema(description = "ready demos right now: an acquire gets one at once") long available,
    @Schema(description = "visitors waiting") long queued,
    @Schema(description = "demos being prepared") long preparing,
    @Schema(
            description =
                "false when capacity and queue are full, or the template is degraded and nothing"
                    + " is ready (acquire answers 503)")
        boolean accepting,
    @Schema(
            description =
                "true while the template's failure circuit is not closed: demos cannot be made"
                    + " (new visitors get 503 template_unavailable with Retry-After)")
        boolean degraded,
    @Schema(description = "the template's failure circuit, with its last error")
        CircuitView circuit,
    long defaultTtlSeconds,
    long extendStepSeconds,
    long maxLifetimeSeconds) {}
