package io.trynow.gateway.web;

import io.trynow.gateway.http.Problem;
import io.trynow.gateway.http.Problems;
import io.trynow.gateway.http.RequestIds;
import io.trynow.gateway.outcome.Refusal;
import io.trynow.model.Headers;
import io.trynow.model.Ids;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * CORS for the public API ({@code /v1/*}), so that a "Try it now" button on an allowed site can
 * acquire, follow the waiting room (EventSource with the signed ticket URL) and read {@code
 * Location}, {@code Retry-After}, {@code RateLimit-Policy}, {@code RateLimit} and the request id.
 * Origins are matched exactly against {@link CorsConfig}; there are no credentials (the API uses a
 * bearer token, never cookies), so {@code Access-Control-Allow-Credentials} is never sent.
 *
 * <p>An origin that is not allowed gets no CORS headers (the browser refuses the call), its
 * preflight is answered 403, and a state-changing call that carries it anyway (a script that
 * skipped the preflight, e.g. a {@code text/plain} form post) is refused with 403 before anything
 * runs. The gateway's own pages are same-origin and need no entry.
 */
@Singleton
public class Cors {

  static final String ALLOW_METHODS = "GET, POST, DELETE";
  static final String ALLOW_HEADERS =
      "Content-Type, Authorization, Idempotency-Key, X-Api-Key, Last-Event-ID";
  static final String EXPOSE_HEADERS =
      String.join(
          ", ", "Location", "Retry-After", "RateLimit-Policy", "RateLimit", Headers.REQUEST_ID);

  private static final Pattern ORIGIN =
      Pattern.compile(
          "https?://([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"
              + "|\\[[0-9a-f:.]+\\])(:[0-9]{1,5})?");
  private static final String KEY = "trynow.gateway.cors.";
  private static final Pattern PUBLISHABLE_KEY = Pattern.compile("pk_[A-Za-z0-9_-]{16,64}");

  private final Set<String> allowed;
  private final Map<String, Set<String>> perTemplate;
  private final Map<String, Set<String>> publishable;
  private final String maxAge;
  private final PublicUrls urls;

  public Cors(CorsConfig config, PublicUrls urls) {
    this.urls = urls;
    this.allowed = origins("allowed-origins", config.allowedOrigins().orElse(List.of()));
    this.perTemplate = new TreeMap<>();
    config
        .templates()
        .forEach((tpl, list) -> {
          String key = "templates." + tpl;
          if (!Ids.isTemplate(tpl)) {
            throw bad(key, "'" + tpl + "' is not a template name");
          }
          Set<String> set = origins(key, list);
          for (String o : set) {
            if (!allowed.contains(o)) {
              throw bad(key, "'" + o + "' must also be in " + KEY + "allowed-origins");
            }
          }
          perTemplate.put(tpl, set);
        });
    this.publishable = new TreeMap<>();
    config
        .publishableKeys()
        .forEach((key, list) -> {
          String k = "publishable-keys." + key;
          if (!PUBLISHABLE_KEY.matcher(key).matches()) {
            throw bad(k, "a publishable key is pk_ and 16-64 letters, digits, _ or -");
          }
          Set<String> set = origins(k, list);
          if (set.isEmpty()) {
            throw bad(k, "needs at least one origin");
          }
          for (String o : set) {
            if (!allowed.contains(o)) {
              throw bad(k, "'" + o + "' must also be in " + KEY + "allowed-origins");
            }
          }
          publishable.put(key, set);
        });
    if (config.maxAge().isNegative()) {
      throw bad("max-age", "must not be negative");
    }
    this.maxAge = String.valueOf(config.maxAge().toSeconds());
  }

  /** Parses and checks an origin list; lower-cases it. */
  static Set<String> origins(String key, List<String> entries) {
    Set<String> out = new LinkedHashSet<>();
    for (String e : entries) {
      String o = e.strip().toLowerCase(Locale.ROOT);
      if (o.isEmpty()) {
        continue;
      }
      if (!ORIGIN.matcher(o).matches()) {
        throw bad(key, "'" + e + "' is not an origin (scheme://host[:port], no path, no '*')");
      }
      out.add(o);
    }
    return out;
  }

  static IllegalArgumentException bad(String key, String why) {
    return new IllegalArgumentException("invalid configuration " + KEY + key + ": " + why);
  }

  void install(@Observes Router router) {
    router.route("/v1/*").order(-1100).handler(this::handle);
  }

  /** The allowed origins (for the README of a running gateway and for tests). */
  public Set<String> allowedOrigins() {
    return allowed;
  }

  private void handle(RoutingContext ctx) {
    String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
    if (origin == null) {
      ctx.next();
      return;
    }
    var headers = ctx.response().headers();
    headers.add(HttpHeaders.VARY, "Origin");
    if (sameOrigin(origin, ctx)) {
      ctx.next();
      return;
    }
    boolean preflight =
        ctx.request().method() == HttpMethod.OPTIONS
            && ctx.request().getHeader(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD) != null;
    if (!isAllowed(origin)) {
      HttpMethod m = ctx.request().method();
      if (preflight || !(m == HttpMethod.GET || m == HttpMethod.HEAD)) {
        RequestIds.assign(ctx);
        refuse(ctx);
        return;
      }
      ctx.next();
      return;
    }
    headers.set(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    if (preflight) {
      headers
          .set(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS)
          .set(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS)
          .set(HttpHeaders.ACCESS_CONTROL_MAX_AGE, maxAge);
      ctx.response().setStatusCode(204).end();
      return;
    }
    headers.set(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSE_HEADERS);
    ctx.next();
  }

  /** True when {@code origin} is on the deployment's allow-list. */
  public boolean isAllowed(String origin) {
    return origin != null && allowed.contains(origin.toLowerCase(Locale.ROOT));
  }

  /**
   * Refuses an acquire of {@code template} from a browser origin outside the template's own list
   * (when it has one). Same-origin calls (the gateway's {@code /try} page) always pass.
   *
   * @throws Refusal 403 origin_not_allowed
   */
  public void requireTemplateOrigin(String template, RoutingContext ctx) {
    String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
    Set<String> only = template == null ? null : perTemplate.get(template);
    if (origin == null || only == null || sameOrigin(origin, ctx)) {
      return;
    }
    if (!only.contains(origin.toLowerCase(Locale.ROOT))) {
      throw Refusal.of(
          Refusal.Reason.ORIGIN_NOT_ALLOWED, "this site may not start demos of this template");
    }
  }

  /** True when publishable keys are configured (then acquiring needs a key). */
  public boolean hasPublishableKeys() {
    return !publishable.isEmpty();
  }

  /**
   * True when {@code key} is a publishable key and the request comes from a browser on one of its
   * sites (its {@code Origin}). Without an {@code Origin} a publishable key is worth nothing.
   */
  public boolean isPublishableKeyFor(String key, RoutingContext ctx) {
    Set<String> sites = key == null ? null : publishable.get(key);
    String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
    return sites != null && origin != null && sites.contains(origin.toLowerCase(Locale.ROOT));
  }

  /** The gateway's own pages: the configured public origin, or the Host the request was sent to. */
  boolean sameOrigin(String origin, RoutingContext ctx) {
    String o = origin.toLowerCase(Locale.ROOT);
    if (o.equals(urls.gatewayOrigin())) {
      return true;
    }
    String host = ctx.request().getHeader(HttpHeaders.HOST);
    return host != null && o.equals(ctx.request().scheme() + "://" + host.toLowerCase(Locale.ROOT));
  }

  private static void refuse(RoutingContext ctx) {
    Problem p =
        Problems.of(
            Refusal.Reason.ORIGIN_NOT_ALLOWED,
            "this site may not call the trynow API from a browser",
            RequestIds.ensure(ctx));
    ctx.response()
        .setStatusCode(p.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, Problems.MEDIA_TYPE)
        .end(Problems.json(p));
  }
}
