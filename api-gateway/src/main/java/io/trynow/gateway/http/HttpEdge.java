package io.trynow.gateway.http;

import io.trynow.gateway.config.GatewaySettings;
import io.trynow.gateway.outcome.Refusal.Reason;
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
 * oversized body is refused with a problem body before it is read; a chunked one is cut off by
 * Vert.x's limit, whose failure this turns into a problem body too) and the client IP.
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
        Problems.reply(ctx, Reason.BAD_REQUEST, "bad Content-Length");
        return;
      }
      if (n > maxBody.asLongValue()) {
        Problems.reply(ctx, Reason.PAYLOAD_TOO_LARGE, "request body too large");
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
    if (status >= 400 && status < 500) {
      Problems.reply(ctx, Problems.forStatus(status), Problems.detail(status));
    } else {
      ctx.next();
    }
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
