package io.trynow.gateway.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /v1/demos/{id}/extend}; no body or no minutes: one extend step. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@Schema(name = "ExtendRequest")
public record ExtendBody(
    @Schema(
            description = "minutes to add (1 to the template's extend step); default: the step",
            example = "15")
        Integer minutes) {}
