package io.trynow.proxysync.caddy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure rendering and reading of the demo server's JSON in Caddy's config: one route per instance
 * ({@code @id trynow-<id>}, host matcher, {@code reverse_proxy}), sorted by id so the same desired
 * set always renders the same bytes, and a catch-all route last (without it Caddy answers an
 * unknown host with an empty 200).
 *
 * <p>The catch-all shows the visitor a page instead of a bare status. With a pages upstream (an
 * api-gateway) it rewrites the request to {@code GET /demo-host} with the host in {@code
 * Trynow-Demo-Host} and proxies it there: 410 "ended" for a known-ended demo with a link to start
 * another, 503 "starting…" (refreshing) for one not routed yet, 404 otherwise; a client's protocol
 * upgrade is not forwarded there (a page is one plain answer). Without one, or when the gateway
 * does not answer, a static 404 page. The server's error routes turn a failed upstream (an instance
 * that stopped answering) into a 502 page that refreshes itself.
 */
public final class ServerConfig {

  /** {@code @id} of the catch-all route; it can never equal {@code trynow-<instance id>}. */
  public static final String NOT_FOUND_ID = "trynow-not-found";

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  static final String NOT_FOUND_PAGE =
      page(
          "No such demo",
          "This demo has ended or does not exist. Go back to the page you started it from to start"
              + " another one.",
          false);

  static final String UNAVAILABLE_PAGE =
      page(
          "This demo is not answering",
          "It may still be starting, or it has just ended. This page reloads by itself.",
          true);

  private static String page(String title, String text, boolean refresh) {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + (refresh ? "<meta http-equiv=\"refresh\" content=\"5\">" : "")
        + "<title>"
        + title
        + " — trynow</title><style>:root{font:16px/1.5 system-ui,sans-serif}"
        + "main{max-width:40rem;margin:3rem auto;padding:0 1rem}</style></head><body><main><h1>"
        + title
        + "</h1><p>"
        + text
        + "</p></main></body></html>\n";
  }

  private ServerConfig() {}

  /**
   * The whole server object. {@code streamCloseDelay} null leaves the field out (Caddy < 2.7 does
   * not know it).
   */
  public static ObjectNode render(
      Collection<Route> routes, String listen, Duration streamCloseDelay) {
    return render(routes, listen, streamCloseDelay, null);
  }

  /**
   * The whole server object; {@code pagesUpstream} ({@code host:port} of an api-gateway, or null)
   * renders the pages of hosts that have no route.
   */
  public static ObjectNode render(
      Collection<Route> routes, String listen, Duration streamCloseDelay, String pagesUpstream) {
    ObjectNode server = F.objectNode();
    server.putArray("listen").add(listen);
    server.putObject("automatic_https").put("disable", true);
    ArrayNode list = server.putArray("routes");
    routes.stream()
        .sorted(Comparator.comparing(Route::instanceId))
        .forEach(r -> list.add(route(r, streamCloseDelay)));
    list.add(notFound(pagesUpstream));
    server
        .putObject("errors")
        .putArray("routes")
        .addObject()
        .putArray("handle")
        .add(staticPage("{http.error.status_code}", UNAVAILABLE_PAGE, true));
    return server;
  }

  public static ObjectNode route(Route r, Duration streamCloseDelay) {
    ObjectNode route = F.objectNode();
    route.put("@id", r.routeId());
    route.putArray("match").addObject().putArray("host").add(r.host());
    ObjectNode proxy = route.putArray("handle").addObject();
    proxy.put("handler", "reverse_proxy");
    if (streamCloseDelay != null) {
      proxy.put("stream_close_delay", streamCloseDelay.toMillis() + "ms");
    }
    proxy.putArray("upstreams").addObject().put("dial", r.upstream());
    route.put("terminal", true);
    return route;
  }

  static ObjectNode notFound(String pagesUpstream) {
    ObjectNode route = F.objectNode();
    route.put("@id", NOT_FOUND_ID);
    ArrayNode handle = route.putArray("handle");
    if (pagesUpstream == null) {
      handle.add(staticPage("404", NOT_FOUND_PAGE, false));
      return route;
    }
    ObjectNode rewrite = handle.addObject();
    rewrite.put("handler", "rewrite");
    rewrite.put("method", "GET");
    rewrite.put("uri", "/demo-host");
    ObjectNode proxy = handle.addObject();
    proxy.put("handler", "reverse_proxy");
    ObjectNode request = proxy.putObject("headers").putObject("request");
    request.putObject("set").putArray(io.trynow.model.Headers.DEMO_HOST).add("{http.request.host}");
    // A page is one plain answer: a client's protocol upgrade (an h2c "Upgrade" from the JDK's
    // HttpClient or curl --http2) must not reach the gateway. Caddy drops the upgrade's
    // HTTP2-Settings as hop-by-hop but forwards "Upgrade: h2c", which the gateway's HTTP server,
    // on a fresh upstream connection, answers with 400 and then leaves the connection hanging.
    request.putArray("delete").add("Upgrade").add("Connection");
    proxy.putArray("upstreams").addObject().put("dial", pagesUpstream);
    return route;
  }

  private static ObjectNode staticPage(String status, String html, boolean refresh) {
    ObjectNode respond = F.objectNode();
    respond.put("handler", "static_response");
    respond.put("status_code", status);
    ObjectNode headers = respond.putObject("headers");
    headers.putArray("Content-Type").add("text/html; charset=utf-8");
    headers.putArray("Cache-Control").add("no-store");
    if (refresh) {
      headers.putArray("Refresh").add("5");
    }
    respond.put("body", html);
    return respond;
  }

  /** What a server object in Caddy holds, as far as routes go. */
  public record Actual(Map<String, JsonNode> routesById, int duplicates, List<String> order) {

    /** Instance ids that have a route. */
    public java.util.Set<String> instanceIds() {
      java.util.Set<String> ids = new java.util.TreeSet<>();
      for (String id : routesById.keySet()) {
        if (id.startsWith("trynow-") && !id.equals(NOT_FOUND_ID)) {
          ids.add(id.substring("trynow-".length()));
        }
      }
      return ids;
    }
  }

  /** Reads the routes of a server object (null or missing routes → none). */
  public static Actual read(JsonNode server) {
    Map<String, JsonNode> byId = new LinkedHashMap<>();
    List<String> order = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    int duplicates = 0;
    JsonNode routes = server == null ? null : server.get("routes");
    if (routes != null && routes.isArray()) {
      for (JsonNode r : routes) {
        String id = r.path("@id").asText("");
        order.add(id);
        if (seen.merge(id, 1, Integer::sum) > 1) {
          duplicates++;
        } else {
          byId.put(id, r);
        }
      }
    }
    return new Actual(byId, duplicates, order);
  }

  /** Route-level difference, for logs and metrics: what a write of {@code desired} changes. */
  public record Diff(
      List<String> added, List<String> removed, List<String> changed, int duplicates) {
    public boolean isEmpty() {
      return added.isEmpty() && removed.isEmpty() && changed.isEmpty() && duplicates == 0;
    }
  }

  public static Diff diff(ObjectNode desired, JsonNode actualServer) {
    Actual want = read(desired);
    Actual have = read(actualServer);
    List<String> added = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : want.routesById().entrySet()) {
      JsonNode current = have.routesById().get(e.getKey());
      if (current == null) {
        added.add(e.getKey());
      } else if (!current.equals(e.getValue())) {
        changed.add(e.getKey());
      }
    }
    List<String> removed = new ArrayList<>();
    for (String id : have.routesById().keySet()) {
      if (!want.routesById().containsKey(id)) {
        removed.add(id);
      }
    }
    return new Diff(added, removed, changed, have.duplicates());
  }
}
