package io.trynow.gateway.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.vertx.ext.web.RoutingContext;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ValidationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every failure leaves as {@code {error, message, request_id}} with a 4xx for bad input and a bare
 * 500 for our own bugs: no stack trace, no exception text, no internal detail ever reaches the
 * client.
 */
public class ErrorMappers {

  private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

  @ServerExceptionMapper
  public Response api(ApiException e, RoutingContext ctx) {
    Response.ResponseBuilder b = body(e.status(), e.error(), e.getMessage(), ctx);
    e.headers().forEach(b::header);
    return b.build();
  }

  // The exact types too: quarkus-rest-jackson has built-in mappers for them that would win.
  @ServerExceptionMapper
  public Response unknownField(UnrecognizedPropertyException e, RoutingContext ctx) {
    return json(e, ctx);
  }

  @ServerExceptionMapper
  public Response mismatched(MismatchedInputException e, RoutingContext ctx) {
    return json(e, ctx);
  }

  @ServerExceptionMapper
  public Response badFormat(InvalidFormatException e, RoutingContext ctx) {
    return json(e, ctx);
  }

  @ServerExceptionMapper
  public Response parse(com.fasterxml.jackson.core.JsonParseException e, RoutingContext ctx) {
    return json(e, ctx);
  }

  @ServerExceptionMapper
  public Response json(JsonProcessingException e, RoutingContext ctx) {
    String message;
    if (e instanceof UnrecognizedPropertyException u) {
      message = "unknown field '" + safe(u.getPropertyName()) + "'";
    } else if (e instanceof InvalidFormatException || e instanceof MismatchedInputException) {
      MismatchedInputException m = (MismatchedInputException) e;
      String field =
          m.getPath().isEmpty() ? null : m.getPath().get(m.getPath().size() - 1).getFieldName();
      message =
          field == null
              ? "the body does not have the expected shape"
              : "bad value for '" + safe(field) + "'";
    } else {
      message = "the body is not valid JSON";
    }
    return body(400, "bad_request", message, ctx).build();
  }

  @ServerExceptionMapper
  public Response jsonBody(ExtendBodies.JsonBodyException e, RoutingContext ctx) {
    return json((JsonProcessingException) e.getCause(), ctx);
  }

  @ServerExceptionMapper
  public Response validation(ValidationException e, RoutingContext ctx) {
    String message = "invalid request";
    if (e instanceof ConstraintViolationException c && !c.getConstraintViolations().isEmpty()) {
      var v = c.getConstraintViolations().iterator().next();
      String path = v.getPropertyPath().toString();
      String field = path.contains(".") ? path.substring(path.lastIndexOf('.') + 1) : path;
      message = safe(field) + " " + v.getMessage();
    }
    return body(400, "bad_request", message, ctx).build();
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e, RoutingContext ctx) {
    int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
    if (status >= 500) {
      LOG.errorf(e, "request failed with %d", status);
      return body(status, "internal", "internal error", ctx).build();
    }
    Throwable cause = e.getCause();
    if (cause instanceof JsonProcessingException j) {
      return json(j, ctx);
    }
    Response.ResponseBuilder b = body(status, code(status), message(status), ctx);
    if (status == 405 && e.getResponse().getHeaderString("Allow") != null) {
      b.header("Allow", e.getResponse().getHeaderString("Allow"));
    }
    return b.build();
  }

  /** Valkey or NATS not answering: a retryable 503, not a 500. */
  @ServerExceptionMapper
  public Response storeDown(io.trynow.platform.state.StoreException e, RoutingContext ctx) {
    LOG.warnf("state store unavailable: %s", e.getMessage());
    return body(503, "unavailable", "the service is temporarily unavailable; retry shortly", ctx)
        .header("Retry-After", 2)
        .build();
  }

  @ServerExceptionMapper
  public Response messagingDown(
      io.trynow.platform.messaging.MessagingException e, RoutingContext ctx) {
    LOG.warnf("messaging unavailable: %s", e.getMessage());
    return body(503, "unavailable", "the service is temporarily unavailable; retry shortly", ctx)
        .header("Retry-After", 2)
        .build();
  }

  @ServerExceptionMapper
  public Response any(Throwable e, RoutingContext ctx) {
    LOG.errorf(e, "unexpected failure");
    return body(500, "internal", "internal error", ctx).build();
  }

  static Response.ResponseBuilder body(
      int status, String error, String message, RoutingContext ctx) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(new ApiError(error, message, RequestIds.of(ctx)));
  }

  static String code(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 406 -> "not_acceptable";
      case 409 -> "conflict";
      case 413 -> "payload_too_large";
      case 415 -> "unsupported_media_type";
      case 429 -> "rate_limited";
      case 503 -> "unavailable";
      default -> status < 500 ? "bad_request" : "internal";
    };
  }

  static String message(int status) {
    return switch (status) {
      case 400 -> "bad request";
      case 401 -> "authentication required";
      case 403 -> "not allowed";
      case 404 -> "no such resource";
      case 405 -> "method not allowed on this resource";
      case 406 -> "cannot produce the requested media type";
      case 413 -> "request body too large";
      case 415 -> "unsupported content type: send application/json";
      default -> "request failed";
    };
  }

  /** Echo only short, harmless names from the client's input. */
  static String safe(String s) {
    if (s == null) {
      return "?";
    }
    String t = s.length() > 40 ? s.substring(0, 40) : s;
    return t.replaceAll("[^A-Za-z0-9_.\\-\\[\\]]", "?");
  }
}
