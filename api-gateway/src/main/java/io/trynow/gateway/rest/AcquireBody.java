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
        String template,
    @Schema(
            description =
                "visitor fields the template accepts (see its schema: types, lengths, patterns),"
                    + " handed to the template's on-claim hook; a field the template does not"
                    + " list, or that does not fit, is refused with 400 invalid_field",
            example = "{\"shop_name\": \"Acme Tools\"}")
        java.util.Map<String, Object> fields) {}
