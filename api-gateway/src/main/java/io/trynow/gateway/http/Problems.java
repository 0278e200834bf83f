package io.trynow.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trynow.gateway.outcome.Refusal.Reason;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * The problem types of the gateway (RFC 9457): each {@link Reason} has one stable type URI ({@value
 * #BASE} + its slug), a title and an HTTP status. The list is documented in the api-gateway README.
 */
public final class Problems {

  /** The media type of every error body. */
  public static final String MEDIA_TYPE = "application/problem+json";

  /** Where the type URIs live: {@code <BASE><slug>}, e.g. {@code …/rate-limited}. */
  public static final String BASE = "https://trynow.dev/problems/";

  private static final ObjectMapper JSON = new ObjectMapper();

  private Problems() {}

  public static String type(Reason r) {
    return BASE + r.slug();
  }

  public static int status(Reason r) {
    return switch (r) {
      case BAD_REQUEST, INVALID_ID, UNKNOWN_TEMPLATE, INVALID_FIELD -> 400;
      case UNAUTHORIZED -> 401;
      case FORBIDDEN, ORIGIN_NOT_ALLOWED -> 403;
      case NOT_FOUND -> 404;
      case METHOD_NOT_ALLOWED -> 405;
      case NOT_ACCEPTABLE -> 406;
      case IDEMPOTENCY_CONFLICT, REQUEST_CLOSED, MAX_LIFETIME_REACHED, NOT_ASSIGNED, WRONG_STATE ->
          409;
      case PAYLOAD_TOO_LARGE -> 413;
      case UNSUPPORTED_MEDIA_TYPE -> 415;
      case UPGRADE_REQUIRED -> 426;
      case RATE_LIMITED, TOO_MANY_LIVE_DEMOS, TOO_MANY_STREAMS -> 429;
      case INTERNAL -> 500;
      case CAPACITY_FULL, TEMPLATE_UNAVAILABLE, UNAVAILABLE -> 503;
    };
  }

  public static String title(Reason r) {
    return switch (r) {
      case BAD_REQUEST -> "Bad request";
      case INVALID_ID -> "Malformed id";
      case UNKNOWN_TEMPLATE -> "Unknown template";
      case INVALID_FIELD -> "Invalid visitor field";
      case UNAUTHORIZED -> "Authentication required";
      case FORBIDDEN -> "Not allowed";
      case ORIGIN_NOT_ALLOWED -> "Origin not allowed";
      case NOT_FOUND -> "Not found";
      case METHOD_NOT_ALLOWED -> "Method not allowed";
      case NOT_ACCEPTABLE -> "Not acceptable";
      case IDEMPOTENCY_CONFLICT -> "Idempotency-Key conflict";
      case REQUEST_CLOSED -> "Request closed";
      case MAX_LIFETIME_REACHED -> "Maximum lifetime reached";
      case NOT_ASSIGNED -> "Demo not assigned";
      case WRONG_STATE -> "Wrong state";
      case PAYLOAD_TOO_LARGE -> "Request body too large";
      case UNSUPPORTED_MEDIA_TYPE -> "Unsupported media type";
      case UPGRADE_REQUIRED -> "HTTP/1.1 required";
      case RATE_LIMITED -> "Too many requests";
      case TOO_MANY_LIVE_DEMOS -> "Too many live demos";
      case TOO_MANY_STREAMS -> "Too many event streams";
      case INTERNAL -> "Internal error";
      case CAPACITY_FULL -> "Capacity full";
      case TEMPLATE_UNAVAILABLE -> "Template unavailable";
      case UNAVAILABLE -> "Temporarily unavailable";
    };
  }

  /** The reason of an error the framework raised with only a status. */
  public static Reason forStatus(int status) {
    return switch (status) {
      case 401 -> Reason.UNAUTHORIZED;
      case 403 -> Reason.FORBIDDEN;
      case 404 -> Reason.NOT_FOUND;
      case 405 -> Reason.METHOD_NOT_ALLOWED;
      case 406 -> Reason.NOT_ACCEPTABLE;
      case 413 -> Reason.PAYLOAD_TOO_LARGE;
      case 415 -> Reason.UNSUPPORTED_MEDIA_TYPE;
      case 429 -> Reason.RATE_LIMITED;
      case 503 -> Reason.UNAVAILABLE;
      default -> status < 500 ? Reason.BAD_REQUEST : Reason.INTERNAL;
    };
  }

  /** The body of a problem of {@code reason}. */
  public static Problem of(Reason reason, String detail, String requestId) {
    return new Problem(type(reason), title(reason), status(reason), detail, requestId);
  }

  /** The body as JSON text. */
  public static String json(Problem p) {
    try {
      return JSON.writeValueAsString(p);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Ends the request with a problem body, before JAX-RS (router filters); the connection is closed
   * on HTTP/1.x since the request body may not have been read.
   */
  public static void reply(RoutingContext ctx, Reason reason, String detail) {
    Problem p = of(reason, detail, RequestIds.ensure(ctx));
    ctx.response().setStatusCode(p.status()).putHeader(HttpHeaders.CONTENT_TYPE, MEDIA_TYPE);
    if (ctx.request().version() != io.vertx.core.http.HttpVersion.HTTP_2) {
      // HTTP/2 forbids connection-specific headers
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    ctx.response().end(json(p));
  }

  /** A short, generic detail for an error the framework raised with only a status. */
  public static String detail(int status) {
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
}
