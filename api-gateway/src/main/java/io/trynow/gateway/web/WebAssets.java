package io.trynow.gateway.web;

import io.trynow.gateway.auth.Secrets;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

/**
 * The static files of the browser surfaces, read once at startup and served from memory with a
 * strong ETag: {@code /embed/v1/trynow.js} (the embeddable button; versioned path, cacheable,
 * loadable from any site) and {@code /assets/*} (the gateway pages' script and style).
 */
@Singleton
public class WebAssets {

  /** Size budget of the embed script in bytes (see web/README.md); a test holds it to this. */
  public static final int EMBED_BUDGET_BYTES = 10 * 1024;

  record Asset(Buffer body, String type, String etag, String cacheControl, boolean anyOrigin) {}

  private final Map<String, Asset> assets =
      Map.of(
          "/embed/v1/trynow.js",
          asset("embed/v1/trynow.js", "text/javascript; charset=utf-8", true),
          "/assets/demo-bar.js",
          asset("assets/demo-bar.js", "text/javascript; charset=utf-8", false),
          "/assets/trynow.css",
          asset("assets/trynow.css", "text/css; charset=utf-8", false));

  private static Asset asset(String path, String type, boolean anyOrigin) {
    byte[] bytes = Html.resource(path);
    String etag = "\"" + HexFormat.of().formatHex(Secrets.sha256(bytes), 0, 16) + "\"";
    return new Asset(Buffer.buffer(bytes), type, etag, "public, max-age=3600", anyOrigin);
  }

  /**
   * A handler serving the file {@code web/<path>} from memory with a strong ETag, not cached for
   * long (the operator dashboard's files, on the management router).
   */
  public static Handler<RoutingContext> privateFile(String path, String type) {
    byte[] bytes = Html.resource(path);
    String etag = "\"" + HexFormat.of().formatHex(Secrets.sha256(bytes), 0, 16) + "\"";
    Asset a = new Asset(Buffer.buffer(bytes), type, etag, "private, no-cache", false);
    return ctx -> serve(ctx, a);
  }

  void install(@Observes Router router) {
    assets.forEach((path, a) -> router.get(path).handler(ctx -> serve(ctx, a)));
  }

  private static void serve(RoutingContext ctx, Asset a) {
    var r = ctx.response();
    r.putHeader(HttpHeaders.CACHE_CONTROL, a.cacheControl())
        .putHeader(HttpHeaders.ETAG, a.etag())
        .putHeader("X-Content-Type-Options", "nosniff");
    if (a.anyOrigin()) {
      // A public script: any site may load it, also with crossorigin + integrity (SRI).
      r.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
          .putHeader("Cross-Origin-Resource-Policy", "cross-origin");
    }
    String match = ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH);
    if (match != null
        && Arrays.stream(match.split(","))
            .map(String::strip)
            .anyMatch(m -> m.equals(a.etag()) || m.equals("*"))) {
      r.setStatusCode(304).end();
      return;
    }
    r.putHeader(HttpHeaders.CONTENT_TYPE, a.type()).end(a.body());
  }

  /** The embed script's size in bytes as served. */
  public int embedSize() {
    return assets.get("/embed/v1/trynow.js").body().length();
  }
}
