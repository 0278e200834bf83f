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
 * set always renders the same bytes, and a catch-all 404 route last (without it Caddy answers an
 * unknown host with an empty 200).
 */
public final class ServerConfig {

  /** {@code @id} of the catch-all route; it can never equal {@code trynow-<instance id>}. */
  public static final String NOT_FOUND_ID = "trynow-not-found";

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private ServerConfig() {}

  /**
   * The whole server object. {@code streamCloseDelay} null leaves the field out (Caddy < 2.7 does
   * not know it).
   */
  public static ObjectNode render(
      Collection<Route> routes, String listen, Duration streamCloseDelay) {
    ObjectNode server = F.objectNode();
    server.putArray("listen").add(listen);
    server.putObject("automatic_https").put("disable", true);
    ArrayNode list = server.putArray("routes");
    routes.stream()
        .sorted(Comparator.comparing(Route::instanceId))
        .forEach(r -> list.add(route(r, streamCloseDelay)));
    list.add(notFound());
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

  static ObjectNode notFound() {
    ObjectNode route = F.objectNode();
    route.put("@id", NOT_FOUND_ID);
    ObjectNode respond = route.putArray("handle").addObject();
    respond.put("handler", "static_response");
    respond.put("status_code", 404);
    respond.put("body", "no such demo\n");
    return route;
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
