package io.trynow.proxysync.caddy;

/**
 * One answer of Caddy's admin API. {@code etag} is the config hash Caddy sends with a GET of {@code
 * /config/...} — as an HTTP <em>trailer</em>, which is why the client reads trailers — and expects
 * back in {@code If-Match}; null when the answer had none.
 */
public record AdminResponse(int status, String body, String etag) {

  public boolean ok() {
    return status >= 200 && status < 300;
  }
}
