package io.trynow.gateway.web;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which web sites may call the public API from a browser ({@code trynow.gateway.cors.*}, env {@code
 * TRYNOW_GATEWAY_CORS_...}): the sites that embed the "Try it now" button. Checked at startup by
 * {@link Cors}: an entry that is not an origin stops the start naming the key.
 */
@ConfigMapping(prefix = "trynow.gateway.cors")
public interface CorsConfig {

  /**
   * Origins ({@code scheme://host[:port]}, no path) allowed to call {@code /v1/*} cross-origin.
   * Empty: only the gateway's own pages ({@code /try}, {@code /demo}) can use the API from a
   * browser. Env {@code TRYNOW_GATEWAY_CORS_ALLOWED_ORIGINS}, comma-separated.
   */
  Optional<List<String>> allowedOrigins();

  /**
   * Per template, a narrower list: {@code POST /v1/demos} for that template from a browser is
   * accepted only from these origins (each must also be in {@code allowed-origins}). Key {@code
   * trynow.gateway.cors.templates.<template>}.
   */
  Map<String, List<String>> templates();

  /**
   * Publishable keys for the button when the gateway requires API keys: key ({@code pk_} + 16-64
   * letters, digits, {@code _} or {@code -}) → the origins it is valid from (each also in {@code
   * allowed-origins}). Such a key is public (it is in the page source): it only works from a
   * browser on one of its sites, never without an {@code Origin}. Key {@code
   * trynow.gateway.cors.publishable-keys.<key>}; any key here makes {@code POST /v1/demos} require
   * a key, like {@code trynow.gateway.api-keys}.
   */
  Map<String, List<String>> publishableKeys();

  /** How long a browser may cache a preflight answer ({@code Access-Control-Max-Age}). */
  @WithDefault("10m")
  Duration maxAge();
}
