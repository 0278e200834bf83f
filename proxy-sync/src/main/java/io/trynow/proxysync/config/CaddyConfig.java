package io.trynow.proxysync.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * The Caddy that serves the demos, driven through its admin API ({@code ./trynow} sets {@code
 * TRYNOW_CADDY_ADMIN_URL} and {@code TRYNOW_CADDY_HTTP_PORT}). The shapes of the admin URL, the
 * server name and the pages upstream are checked at startup by {@link CaddyConfigCheck} (a plain
 * check, not Hibernate Validator: building the validator cost a third of proxy-sync's startup
 * thread).
 */
@ConfigMapping(prefix = "trynow.caddy")
public interface CaddyConfig {

  /** Base URL of Caddy's admin API. */
  @WithDefault("http://127.0.0.1:12019")
  String adminUrl();

  /** Name of that server under {@code apps.http.servers}; proxy-sync owns all of it. */
  @WithDefault("trynow")
  String serverName();

  /**
   * How long a config reload lets proxied websockets live before closing them ({@code
   * stream_close_delay}, Caddy ≥ 2.7). An older Caddy rejects the field; proxy-sync then drops it
   * and logs once that reloads cut websockets there.
   */
  @WithDefault("10m")
  Optional<Duration> streamCloseDelay();

  /**
   * {@code host:port} of an api-gateway that renders the page of a demo host without a route
   * ({@code GET /demo-host}: 410 ended with a link to start another, 503 starting…, 404 unknown).
   * Unset: the catch-all answers a static 404 page. Env {@code TRYNOW_CADDY_PAGES_UPSTREAM}.
   */
  Optional<String> pagesUpstream();

  /** Timeout of one admin API call (connect + response). */
  @WithDefault("3s")
  Duration requestTimeout();
}
