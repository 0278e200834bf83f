package io.trynow.gateway.http;

import io.trynow.model.Headers;
import io.trynow.model.Ids;
import io.vertx.ext.web.RoutingContext;
import org.jboss.logging.MDC;

/**
 * The id of each HTTP request: made by the gateway (a client-sent {@code Trynow-Request-Id} is
 * never trusted: for an acquire it would name someone else's request), put in the MDC, echoed in
 * the {@code Trynow-Request-Id} response header and in every error body. For {@code POST /v1/demos}
 * the acquire's request id replaces it, so one id follows the visitor through every hop.
 */
public final class RequestIds {

  static final String KEY = "trynow.request-id";

  private RequestIds() {}

  /** Assigns a fresh id to the request (router filter, before anything else runs). */
  public static void assign(RoutingContext ctx) {
    set(ctx, Ids.newRequestId());
  }

  public static void set(RoutingContext ctx, String id) {
    ctx.put(KEY, id);
    ctx.response().headers().set(Headers.REQUEST_ID, id);
    MDC.put(Headers.MDC_REQUEST_ID, id);
  }

  /** The request's id, assigned now if it has none yet (a path the edge filter did not see). */
  public static String ensure(RoutingContext ctx) {
    String id = of(ctx);
    if (id == null && ctx != null) {
      assign(ctx);
      id = of(ctx);
    }
    return id;
  }

  public static String of(RoutingContext ctx) {
    if (ctx == null) {
      return null;
    }
    Object v = ctx.get(KEY);
    return v instanceof String s ? s : null;
  }
}
