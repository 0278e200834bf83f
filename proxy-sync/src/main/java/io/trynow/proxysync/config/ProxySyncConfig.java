package io.trynow.proxysync.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.Optional;

/** proxy-sync's loops. The Caddy side is {@link CaddyConfig}. */
@ConfigMapping(prefix = "trynow.proxy-sync")
public interface ProxySyncConfig {

  /**
   * Demos are served at {@code <instance id>.<demo-domain>}; defaults to the stack-wide {@code
   * trynow.demo-domain} (env {@code TRYNOW_DEMO_DOMAIN}).
   */
  @WithDefault("${trynow.demo-domain:demo.localhost}")
  @Pattern(
      regexp = "([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?",
      message = "must be a lower-case DNS name")
  String demoDomain();

  /**
   * The URL given to visitors, {@code {host}} standing for {@code <id>.<demo domain>}; stored on
   * the instance by mark_ready. Behind a TLS edge: {@code https://{host}}.
   */
  @WithDefault("http://{host}:${trynow.caddy.http-port:8088}")
  @Pattern(
      regexp = "https?://\\{host\\}(:[0-9]{1,5})?/?",
      message = "must be http(s)://{host}[:port]")
  String publicUrl();

  /** Host the routes proxy to; the instance's port is appended. */
  @WithDefault("127.0.0.1")
  String upstreamHost();

  /** Run the event consumer and the reconcile loop (off only in adapter tests). */
  @WithDefault("true")
  boolean loopsEnabled();

  /** Events arriving within this window after the first one are applied in one write. */
  @WithDefault("20ms")
  Duration coalesceWindow();

  /** Period of the reconcile loop (drift repair, empty-Caddy rebuild, stuck started). */
  @WithDefault("2s")
  Duration reconcileInterval();

  /** How long an event handler waits for its route to be confirmed in Caddy. */
  @WithDefault("15s")
  Duration confirmTimeout();

  /** Instance events handled at once (they mostly wait together on one coalesced write). */
  @WithDefault("32")
  @Min(1)
  int eventConcurrency();

  /**
   * Fault injection for crash tests only: sleep this long after a route is confirmed and before
   * {@code mark_ready}, so that a test can kill -9 the process in exactly that window. Never set in
   * production; a warning is logged at startup when it is.
   */
  Optional<Duration> failpointDelayBeforeMarkReady();
}
