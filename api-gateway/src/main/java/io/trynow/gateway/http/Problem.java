package io.trynow.gateway.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The one error body: RFC 9457 problem details ({@code application/problem+json}) with the request
 * id as an extension member.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(
    name = "Problem",
    description =
        "RFC 9457 problem details (application/problem+json); the type URIs are listed in the"
            + " api-gateway README")
public record Problem(
    @Schema(
            description = "stable URI of the problem type",
            example = "https://trynow.dev/problems/rate-limited")
        String type,
    @Schema(description = "short summary of the problem type", example = "Too many requests")
        String title,
    @Schema(description = "the HTTP status code", example = "429") int status,
    @Schema(description = "what went wrong this time, for humans") String detail,
    @Schema(description = "id of this HTTP request (also in the Trynow-Request-Id header)")
        @JsonProperty("request_id")
        String requestId) {}
