package io.trynow.gateway.ops;

import io.quarkus.vertx.http.ManagementInterface;
import io.trynow.gateway.http.Problems;
import io.trynow.gateway.http.RequestIds;
import io.trynow.gateway.outcome.Refusal;
import io.trynow.gateway.web.WebAssets;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/**
 * The operator surfaces ({@code /admin}, the admin API, and {@code /ops}, the dashboard) live on
 * the management interface only. They are ordinary JAX-RS resources (so that the OpenAPI document,
 * the admin-key filter and the error mappers apply to them as to the rest), which Quarkus serves on
 * the main router: the management router hands those paths to the main router, and the main router
 * refuses them (404) when they did not come through the management port.
 */
@ApplicationScoped
public class ManagementRoutes {

  /** Path prefixes served only through the management interface. */
  public static final List<String> OPERATOR_PATHS = List.of("/admin", "/ops");

  /** Set on requests that came through the management listener. */
  private static final String VIA_MANAGEMENT = "trynow.via-management";

  private volatile Router main;

  void main(@Observes Router router) {
    this.main = router;
    // after HttpEdge (-1000), which assigns the request id the error carries
    router.route().order(-999).handler(ManagementRoutes::guard);
  }

  /**
   * After the management router's own body handler (order {@code Integer.MIN_VALUE}), so that the
   * body is read once and the resources get it from the routing context: the main router is mounted
   * as a sub-router for the operator paths.
   */
  void management(@Observes ManagementInterface management) {
    for (String p : OPERATOR_PATHS) {
      management
          .router()
          .route(p + "*")
          .order(Integer.MIN_VALUE + 1)
          .handler(ctx -> {
            if (ctx.request().version() == HttpVersion.HTTP_2) {
              // The management router's body handler has read the body already; Quarkus REST
              // then pauses the ended request, which HTTP/2 refuses. Operators' tools
              // (browsers, curl, ./trynow) speak HTTP/1.1 on plain http.
              RequestIds.assign(ctx);
              Problems.reply(
                  ctx, Refusal.Reason.UPGRADE_REQUIRED, "use HTTP/1.1 on the management port");
              return;
            }
            ctx.put(VIA_MANAGEMENT, Boolean.TRUE);
            ctx.next();
          });
      management.router().route(p + "*").order(Integer.MIN_VALUE + 3).subRouter(main);
    }
    // The dashboard's files: served here, as the main router's static handler would look them up
    // relative to the sub-router's mount point.
    Router r = management.router();
    r.get("/ops")
        .order(Integer.MIN_VALUE + 2)
        .handler(ctx -> {
          // Vert.x matches "/ops/" here too: only the bare path is redirected
          if (ctx.request().path().equals("/ops")) {
            ctx.redirect("/ops/");
          } else {
            ctx.next();
          }
        });
    r.get("/ops/")
        .order(Integer.MIN_VALUE + 2)
        .handler(WebAssets.privateFile("ops/index.html", "text/html; charset=utf-8"));
    r.get("/ops/ops.js")
        .order(Integer.MIN_VALUE + 2)
        .handler(WebAssets.privateFile("ops/ops.js", "text/javascript; charset=utf-8"));
    r.get("/ops/ops.css")
        .order(Integer.MIN_VALUE + 2)
        .handler(WebAssets.privateFile("ops/ops.css", "text/css; charset=utf-8"));
  }

  private static void guard(RoutingContext ctx) {
    if (isOperatorPath(ctx.normalizedPath()) && ctx.get(VIA_MANAGEMENT) == null) {
      Problems.reply(ctx, Refusal.Reason.NOT_FOUND, "no such resource");
      return;
    }
    ctx.next();
  }

  static boolean isOperatorPath(String path) {
    for (String p : OPERATOR_PATHS) {
      if (path.equals(p) || path.startsWith(p + "/")) {
        return true;
      }
    }
    return false;
  }
}
