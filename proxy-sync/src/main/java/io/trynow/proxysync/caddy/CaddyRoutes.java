package io.trynow.proxysync.caddy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.trynow.model.Json;
import io.trynow.platform.endpoints.Endpoints;
import io.trynow.proxysync.ProxySyncMetrics;
import io.trynow.proxysync.config.CaddyConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Makes the demo server in Caddy hold exactly a given set of routes.
 *
 * <p>Never appends: each apply reads the server object with its ETag, renders the whole desired
 * object (routes sorted, catch-all 404 last), and writes it only if it differs, with {@code
 * If-Match}. A concurrent writer (another replica, an operator) makes Caddy answer 412; then it
 * reads again and retries. Duplicated {@code @id}s, foreign routes and drifted upstreams disappear
 * in the same write. A missing server (fresh or restarted Caddy) is created with a {@code PUT}
 * guarded by the ETag of the whole config, so two creators cannot both win. A write Caddy accepted
 * is not read back: being guarded, it left Caddy's config holding exactly what was written, and
 * that is the returned set.
 */
@ApplicationScoped
public class CaddyRoutes {

  private static final Logger LOG = Logger.getLogger(CaddyRoutes.class);
  private static final int MAX_ATTEMPTS = 20;

  private final CaddyAdmin admin;
  private final MeterRegistry metrics;
  private final String serverPath;
  private final String listen;
  private final AtomicInteger routesGauge;
  private final String pagesUpstream;
  private volatile Duration streamCloseDelay;

  CaddyRoutes(CaddyAdmin admin, MeterRegistry metrics, CaddyConfig config, Endpoints endpoints) {
    this.admin = admin;
    this.metrics = metrics;
    this.serverPath = "/config/apps/http/servers/" + config.serverName();
    this.listen = endpoints.caddyListen();
    this.streamCloseDelay = config.streamCloseDelay().orElse(null);
    this.pagesUpstream = config.pagesUpstream().orElse(null);
    this.routesGauge = metrics.gauge(ProxySyncMetrics.ROUTES, new AtomicInteger());
  }

  /** The outcome of one apply: the instance ids whose route Caddy's config holds now. */
  public record Applied(Set<String> routed, int writes, boolean created) {}

  /**
   * Makes Caddy's demo server hold exactly {@code desired} (plus the catch-all).
   *
   * @throws CaddyUnavailableException Caddy is down (or the circuit breaker is open: {@code
   *     CircuitBreakerOpenException})
   * @throws CaddyRejectedException Caddy refused the config
   * @throws IllegalStateException other writers kept winning for {@value #MAX_ATTEMPTS} attempts
   */
  public synchronized Applied apply(Collection<Route> desired) {
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      ObjectNode want = ServerConfig.render(desired, listen, streamCloseDelay, pagesUpstream);
      Snapshot current = readServer();
      if (current.server() == null) {
        AdminResponse r = createServer(want);
        if (r.ok()) {
          metrics.counter(ProxySyncMetrics.SERVER_CREATED).increment();
          LOG.infof(
              "caddy: created server %s on %s with %d routes", serverPath, listen, desired.size());
          return new Applied(routed(want), 1, true);
        } else {
          handleFailedWrite("PUT", r, attempt);
        }
        continue;
      }
      if (current.server().equals(want)) {
        return new Applied(routed(current.server()), 0, false);
      }
      ServerConfig.Diff diff = ServerConfig.diff(want, current.server());
      AdminResponse r = admin.exchange("PATCH", serverPath, json(want), current.etag());
      if (r.ok()) {
        count("ok");
        record(diff);
        LOG.infof(
            "caddy: routes +%d -%d ~%d, duplicates removed %d",
            diff.added().size(), diff.removed().size(), diff.changed().size(), diff.duplicates());
        return new Applied(routed(want), 1, false);
      } else {
        handleFailedWrite("PATCH", r, attempt);
      }
    }
    throw new IllegalStateException(
        "caddy config kept changing under proxy-sync for " + MAX_ATTEMPTS + " attempts");
  }

  /**
   * The instance ids routed by {@code server}, Caddy's demo server object now (also the routes
   * gauge). After a write Caddy accepted, that is the object written: the write was guarded ({@code
   * If-Match} with the ETag of the object it replaced, or of the whole config for a create), so at
   * that instant Caddy's config held exactly it: what a read right after it would return, unless
   * another writer came in between, which a read-back could not rule out for the moment after it
   * either. So a write is not read back (before: one more GET and parse of the whole server object
   * per write).
   */
  private Set<String> routed(JsonNode server) {
    Set<String> routed = ServerConfig.read(server).instanceIds();
    routesGauge.set(routed.size());
    return routed;
  }

  /**
   * Whether Caddy's config holds {@code route} exactly as {@link #apply} writes it (one read of
   * that route by its {@code @id}; a missing one, or Caddy down, is false).
   */
  public boolean holds(Route route) {
    try {
      AdminResponse r = admin.exchange("GET", "/id/" + route.routeId(), null, null);
      return r.ok() && ServerConfig.route(route, streamCloseDelay).equals(parse(r.body()));
    } catch (RuntimeException e) {
      LOG.debugf("route %s not read: %s", route.routeId(), e.toString());
      return false;
    }
  }

  /** The instance ids that have a route in Caddy now (empty when the server is missing). */
  public Set<String> routed() {
    return ServerConfig.read(readServer().server()).instanceIds();
  }

  /** The demo server object as Caddy holds it now, or null when it is missing. */
  public JsonNode server() {
    return readServer().server();
  }

  private record Snapshot(JsonNode server, String etag) {}

  private Snapshot readServer() {
    AdminResponse r = admin.exchange("GET", serverPath, null, null);
    if (r.status() == 400 && r.body().contains("invalid traversal path")) {
      return new Snapshot(null, null); // a parent (apps, http, servers) is missing
    }
    if (!r.ok()) {
      throw new CaddyRejectedException("GET " + serverPath, r.status(), r.body());
    }
    JsonNode node = parse(r.body());
    if (node == null || node.isNull()) {
      return new Snapshot(null, null);
    }
    if (r.etag() == null) {
      throw new CaddyRejectedException("GET " + serverPath + " (no ETag)", r.status(), r.body());
    }
    return new Snapshot(node, r.etag());
  }

  private AdminResponse createServer(ObjectNode want) {
    AdminResponse root = admin.exchange("GET", "/config/", null, null);
    if (!root.ok() || root.etag() == null) {
      throw new CaddyRejectedException("GET /config/", root.status(), root.body());
    }
    return admin.exchange("PUT", serverPath, json(want), root.etag());
  }

  private void handleFailedWrite(String method, AdminResponse r, int attempt) {
    if (r.status() == 412) {
      count("conflict");
      LOG.debugf(
          "caddy: %s %s lost to a concurrent writer (attempt %d)", method, serverPath, attempt);
      pause(attempt);
      return;
    }
    if (streamCloseDelay != null
        && r.body().contains("unknown field")
        && r.body().contains("stream_close_delay")) {
      LOG.warnf(
          "caddy: this Caddy (< 2.7) does not know stream_close_delay; routes are written without"
              + " it, so a config reload closes proxied websockets");
      streamCloseDelay = null;
      return;
    }
    if (method.equals("PUT") && r.body().contains("key already exists")) {
      pause(attempt); // created by someone else between our read and write: read again
      return;
    }
    count("rejected");
    throw new CaddyRejectedException(method + " " + serverPath, r.status(), r.body());
  }

  private void record(ServerConfig.Diff diff) {
    change("added", diff.added().size());
    change("removed", diff.removed().size());
    change("changed", diff.changed().size());
    change("duplicate", diff.duplicates());
  }

  private void change(String kind, int n) {
    if (n > 0) {
      metrics.counter(ProxySyncMetrics.ROUTE_CHANGES, "change", kind).increment(n);
    }
  }

  private void count(String outcome) {
    metrics.counter(ProxySyncMetrics.CADDY_WRITES, "outcome", outcome).increment();
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(5, 20L * Math.min(attempt, 10)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static String json(JsonNode node) {
    try {
      return Json.MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode parse(String body) {
    try {
      return Json.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw new CaddyRejectedException("parse caddy config", 200, body);
    }
  }
}
