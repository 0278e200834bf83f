package io.trynow.gateway.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.trynow.gateway.view.DemoView;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** {@code GET /v1/requests/{id}}: where an acquire request stands. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Request")
public record RequestView(
    String requestId,
    @Schema(
            description =
                "pending, queued, assigned, failed, expired or unavailable (the template's"
                    + " failure circuit opened while it waited)")
        String status,
    String template,
    Long position,
    Long etaSeconds,
    Instant createdAt,
    @Schema(description = "the demo, once assigned") DemoView demo) {}
