package io.trynow.gateway.web;

import jakarta.inject.Singleton;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders the gateway's HTML pages with the headers every one of them gets: no caching (they may
 * carry a visitor's state), no referrer (a demo URL never leaks to another site), no sniffing, and
 * a Content-Security-Policy that allows only the gateway's own scripts.
 */
@Singleton
public class Pages {

  /** The policy of the gateway's own pages; {@code frame-src} is added per page. */
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self';"
          + " img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

  /** The policy of the pages shown on a demo host: no script at all. */
  static final String MESSAGE_CSP =
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'";

  private final String message = Html.template("message.html");
  private final PublicUrls urls;

  public Pages(PublicUrls urls) {
    this.urls = urls;
  }

  /** A page of the gateway's own origin. */
  Response page(int status, String html, String frameSrc) {
    return Response.status(status)
        .type("text/html; charset=utf-8")
        .entity(html)
        .header("Content-Security-Policy", CSP + "; frame-src " + frameSrc)
        .header("Cache-Control", "no-store")
        .header("Referrer-Policy", "no-referrer")
        .header("X-Content-Type-Options", "nosniff")
        .build();
  }

  /** What a page shows when there is nothing else to show: a title, a line, a link. */
  record Message(String state, String title, String text, String link, String href) {}

  /** A message page (also what Caddy's catch-all shows on a demo host). */
  Response message(int status, Message m, Integer refreshSeconds) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("state", m.state());
    v.put("title", m.title());
    v.put("text", m.text());
    v.put("link", m.link());
    v.put("try", m.href() == null ? urls.tryIndex() : m.href());
    v.put(
        "refresh",
        new Html.Raw(
            refreshSeconds == null
                ? ""
                : "<meta http-equiv=\"refresh\" content=\"" + refreshSeconds + "\">"));
    Response.ResponseBuilder b =
        Response.status(status)
            .type("text/html; charset=utf-8")
            .entity(Html.render(message, v))
            .header("Content-Security-Policy", MESSAGE_CSP)
            .header("Cache-Control", "no-store")
            .header("Referrer-Policy", "no-referrer")
            .header("X-Content-Type-Options", "nosniff");
    if (refreshSeconds != null) {
      b.header("Retry-After", refreshSeconds).header("Refresh", refreshSeconds);
    }
    return b.build();
  }

  /** The page for an id or name that is not known. */
  Response notFound(String what) {
    return message(
        404,
        new Message(
            "unknown",
            "No such demo",
            what + " does not exist, or it ended long ago.",
            "Start a demo",
            null),
        null);
  }
}
