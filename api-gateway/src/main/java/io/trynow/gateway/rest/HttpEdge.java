package io.trynow.gateway.rest;

import io.trynow.gateway.config.GatewaySettings;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What runs before JAX-RS on every request: the request id, the body-size check (a declared
 * oversized body is refused with JSON before it is read; a chunked one is cut off by Vert.x's
 * limit, whose failure this turns into JSON too) and the client IP.
 */
@ApplicationScoped
public class HttpEdge {

  static final String CLIENT_IP = "trynow.client-ip";

  @Inject GatewaySettings settings;

  @ConfigProperty(name = "quarkus.http.limits.max-body-size")
  io.quarkus.runtime.configuration.MemorySize maxBody;

  void install(@Observes Router router) {
    router.route().order(-1000).handler(this::edge);
    router.route().order(-1000).failureHandler(this::failure);
  }

  private void edge(RoutingContext ctx) {
    RequestIds.assign(ctx);
    String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      long n;
      try {
        n = Long.parseLong(length.strip());
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 0) {
        reply(ctx, 400, "bad_request", "bad Content-Length");
        return;
      }
      if (n > maxBody.asLongValue()) {
        reply(ctx, 413, "payload_too_large", "request body too large");
        return;
      }
    }
    ctx.next();
  }

  private void failure(RoutingContext ctx) {
    int status = ctx.statusCode();
    if (ctx.response().headWritten() || ctx.response().ended()) {
      ctx.next();
      return;
    }
    if (status == 413) {
      reply(ctx, 413, "payload_too_large", "request body too large");
    } else if (status >= 400 && status < 500) {
      reply(ctx, status, ErrorMappers.code(status), ErrorMappers.message(status));
    } else {
      ctx.next();
    }
  }

  /** Ends the request with the standard error JSON ({@code error, message, request_id}). */
  public static void reply(RoutingContext ctx, int status, String error, String message) {
    String body =
        "{\"error\":\""
            + error
            + "\",\"message\":\""
            + message
            + "\",\"request_id\":\""
            + RequestIds.of(ctx)
            + "\"}";
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    if (ctx.request().version() != io.vertx.core.http.HttpVersion.HTTP_2) {
      // HTTP/2 forbids connection-specific headers
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    ctx.response().end(body);
  }

  /** The client's IP: the TCP peer, or X-Forwarded-For when the peer is a trusted proxy. */
  public String clientIp(RoutingContext ctx) {
    String cached = ctx.get(CLIENT_IP);
    if (cached != null) {
      return cached;
    }
    var remote = ctx.request().connection().remoteAddress();
    String peer = remote == null ? "" : remote.hostAddress();
    List<String> xff = ctx.request().headers().getAll("X-Forwarded-For");
    String ip = settings.trustedProxies().clientIp(peer, xff);
    ctx.put(CLIENT_IP, ip);
    return ip;
  }
}
