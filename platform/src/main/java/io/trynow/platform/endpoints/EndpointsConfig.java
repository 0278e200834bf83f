package io.trynow.platform.endpoints;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Every address of the demo path, in one place ({@code trynow.endpoints.*}, env {@code
 * TRYNOW_ENDPOINTS_...}). Read through {@link Endpoints}; no service builds a demo URL or assumes
 * 127.0.0.1 by itself.
 *
 * <p>Defaults are the local stack's ({@code ./trynow up}: demos at {@code
 * http://<id>.demo.localhost:8088}, everything on loopback). Production behind a TLS edge: {@code
 * public-scheme=https}, {@code demo-domain=demos.example.com}, {@code public-port=443}, {@code
 * caddy-listen-host=0.0.0.0}, {@code instance-host=<the Docker host's address>}.
 */
@ConfigMapping(prefix = "trynow.endpoints")
public interface EndpointsConfig {

  /** Scheme of the URL visitors get: {@code http} or {@code https} (TLS at Caddy or an edge). */
  @WithDefault("http")
  String publicScheme();

  /**
   * Demos are served at {@code <instance id>.<demo-domain>}: a lower-case DNS name. Falls back to
   * the stack-wide env {@code TRYNOW_DEMO_DOMAIN}.
   */
  @WithDefault("${TRYNOW_DEMO_DOMAIN:demo.localhost}")
  String demoDomain();

  /**
   * Port in the URL visitors get; left out of the URL when it is the scheme's default (80 for http,
   * 443 for https). Defaults to Caddy's demo port ({@code caddy-http-port}).
   */
  @WithDefault("${trynow.endpoints.caddy-http-port:${TRYNOW_CADDY_HTTP_PORT:8088}}")
  int publicPort();

  /**
   * Address Caddy's demo server listens on: loopback locally, {@code 0.0.0.0} in a container or a
   * pod that must be reachable from outside.
   */
  @WithDefault("127.0.0.1")
  String caddyListenHost();

  /**
   * Port of Caddy's demo server (falls back to the stack-wide env {@code TRYNOW_CADDY_HTTP_PORT}).
   */
  @WithDefault("${TRYNOW_CADDY_HTTP_PORT:8088}")
  int caddyHttpPort();

  /**
   * How Caddy and the provisioner reach an instance on the Docker host: that host's address, never
   * an assumed 127.0.0.1 (in Compose, {@code host.docker.internal}; on Kubernetes, the Docker
   * host's name). The instance's port is appended.
   */
  @WithDefault("127.0.0.1")
  String instanceHost();

  /**
   * Host address a {@code bridge} template's port is published on by the engine ({@code 0.0.0.0} to
   * publish on every interface of the Docker host, or one of its addresses).
   */
  @WithDefault("127.0.0.1")
  String publishHost();
}
