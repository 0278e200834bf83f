package io.trynow.gateway.web;

import io.trynow.gateway.config.GatewaySettings;
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.Locale;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Absolute URLs of the gateway's own pages, for pages served on another origin (the demo host's
 * "ended" page links back to {@code /try}). From {@code trynow.gateway.public-base-url}; unset, the
 * address the gateway listens on.
 */
@Singleton
public class PublicUrls {

  private final String base;
  private final String origin;

  public PublicUrls(
      GatewaySettings settings,
      @ConfigProperty(name = "quarkus.http.host", defaultValue = "127.0.0.1") String host,
      @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080") int port) {
    String listen = host.equals("0.0.0.0") ? "127.0.0.1" : host;
    this.base =
        settings
            .config()
            .publicBaseUrl()
            .map(b -> b.replaceAll("/+$", ""))
            .orElse("http://" + listen + ":" + port);
    URI u = URI.create(base);
    this.origin = (u.getScheme() + "://" + u.getRawAuthority()).toLowerCase(Locale.ROOT);
  }

  /** {@code scheme://host[:port]} of the gateway as visitors reach it. */
  public String gatewayOrigin() {
    return origin;
  }

  /** The try page of a template. */
  public String tryPage(String template) {
    return base + "/try/" + template;
  }

  /** The list of templates to try. */
  public String tryIndex() {
    return base + "/try";
  }
}
