package io.trynow.gateway.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.trynow.gateway.http.Problem;
import io.trynow.gateway.http.Problems;
import io.trynow.gateway.http.RequestIds;
import io.trynow.gateway.outcome.Refusal;
import io.vertx.ext.web.RoutingContext;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ValidationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every failure leaves as an RFC 9457 problem ({@code application/problem+json}: {@code type},
 * {@code title}, {@code status}, {@code detail}, {@code request_id}; the types in {@link Problems})
 * with a 4xx for bad input and a bare 500 for our own bugs: no stack trace, no exception text, no
 * internal detail ever reaches the client. A {@link Refusal} from a use-case becomes its problem
 * here, with {@code Retry-After}, the rate-limit fields and {@code WWW-Authenticate} as it says.
 */
public class ErrorMappers {

  private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

  @ServerExceptionMapper
  public Response refusal(Refusal e, RoutingContext ctx) {
    if (e.requestId() != null) {
      RequestIds.set(ctx, e.requestId());
    }
    Response.ResponseBuilder b = body(e.reason(), e.getMessage(), ctx);
    if (e.retryAfterSeconds() > 0) {
      b.header("Retry-After", e.retryAfterSeconds());
    }
    if (e.reason() == Refusal.Reason.UNAUTHORIZED) {
      b.header("WWW-Authenticate", "Bearer");
    }
    RateLimitFields.add(b::header, e.rateLimits());
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
    return body(Refusal.Reason.BAD_REQUEST, message, ctx).build();
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
    return body(Refusal.Reason.BAD_REQUEST, message, ctx).build();
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e, RoutingContext ctx) {
    int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
    if (status >= 500) {
      LOG.errorf(e, "request failed with %d", status);
      return body(Refusal.Reason.INTERNAL, "internal error", ctx).build();
    }
    Throwable cause = e.getCause();
    if (cause instanceof JsonProcessingException j) {
      return json(j, ctx);
    }
    Response.ResponseBuilder b = body(Problems.forStatus(status), Problems.detail(status), ctx);
    if (status == 405 && e.getResponse().getHeaderString("Allow") != null) {
      b.header("Allow", e.getResponse().getHeaderString("Allow"));
    }
    return b.build();
  }

  /** Valkey or NATS not answering: a retryable 503, not a 500. */
  @ServerExceptionMapper
  public Response storeDown(io.trynow.platform.state.StoreException e, RoutingContext ctx) {
    LOG.warnf("state store unavailable: %s", e.getMessage());
    return unavailable(ctx);
  }

  @ServerExceptionMapper
  public Response messagingDown(
      io.trynow.platform.messaging.MessagingException e, RoutingContext ctx) {
    LOG.warnf("messaging unavailable: %s", e.getMessage());
    return unavailable(ctx);
  }

  @ServerExceptionMapper
  public Response any(Throwable e, RoutingContext ctx) {
    LOG.errorf(e, "unexpected failure");
    return body(Refusal.Reason.INTERNAL, "internal error", ctx).build();
  }

  /**
   * The answer its mapper gives to a failure of {@code POST /v1/demos} served outside Quarkus REST
   * ({@link AcquireRoute}): a refusal, a body that is not the expected JSON, Valkey or NATS not
   * answering, or anything else.
   */
  static Response of(Throwable e, RoutingContext ctx) {
    ErrorMappers m = new ErrorMappers();
    return switch (e) {
      case Refusal r -> m.refusal(r, ctx);
      case JsonProcessingException j -> m.json(j, ctx);
      case io.trynow.platform.state.StoreException s -> m.storeDown(s, ctx);
      case io.trynow.platform.messaging.MessagingException s -> m.messagingDown(s, ctx);
      default -> m.any(e, ctx);
    };
  }

  private static Response unavailable(RoutingContext ctx) {
    return body(
            Refusal.Reason.UNAVAILABLE,
            "the service is temporarily unavailable; retry shortly",
            ctx)
        .header("Retry-After", 2)
        .build();
  }

  static Response.ResponseBuilder body(Refusal.Reason reason, String detail, RoutingContext ctx) {
    Problem p = Problems.of(reason, detail, RequestIds.ensure(ctx));
    return Response.status(p.status()).type(Problems.MEDIA_TYPE).entity(Problems.json(p));
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
