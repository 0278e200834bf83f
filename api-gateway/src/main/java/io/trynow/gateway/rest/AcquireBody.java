package io.trynow.gateway.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /v1/demos}. Unknown fields are rejected. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@Schema(name = "AcquireRequest")
public record AcquireBody(
    @Schema(
            description = "template name, see GET /v1/templates",
            example = "hello",
            required = true)
        String template) {}
