package io.trynow.proxysync.caddy;

import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.trynow.proxysync.config.CaddyConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.SocketTimeoutException;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;

/**
 * The only door to Caddy's admin API. Each call goes through a retry (transport errors only) and
 * the {@value #BREAKER} circuit breaker, which opens after repeated transport failures so that a
 * dead Caddy costs callers nothing while it is down, and closes after a successful trial call.
 *
 * <p>Caddy 2.6 sends the config {@code ETag} as an HTTP trailer (its GET handler hashes the config
 * while streaming it). The JDK {@code HttpClient} drops trailers; {@link AdminHttp} reads them (one
 * blocking exchange per connection, on the caller's thread): the ETag is then sent back in {@code
 * If-Match} for optimistic concurrency. HTTP answers, including 4xx/5xx, are returned as they are;
 * only transport failures throw.
 */
@ApplicationScoped
public class CaddyAdmin {

  /** Name of the circuit breaker, for {@code CircuitBreakerMaintenance}. */
  public static final String BREAKER = "caddy-admin";

  private final AdminHttp http;

  CaddyAdmin(CaddyConfig config) {
    String url = config.adminUrl();
    // Caddy closes the connection after every config change (Connection: close), so every
    // exchange has a connection of its own; loopback connects are cheap.
    this.http =
        new AdminHttp(
            url.endsWith("/") ? url.substring(0, url.length() - 1) : url,
            (int) config.requestTimeout().toMillis());
  }

  /**
   * Sends one request. {@code path} starts with {@code /}; {@code body} (JSON) and {@code ifMatch}
   * may be null.
   *
   * @throws CaddyUnavailableException when Caddy cannot be reached or does not answer in time
   */
  @Retry(maxRetries = 2, delay = 100, jitter = 50, retryOn = CaddyUnavailableException.class)
  @CircuitBreaker(
      requestVolumeThreshold = 8,
      failureRatio = 0.75,
      delay = 2000,
      successThreshold = 1,
      failOn = CaddyUnavailableException.class)
  @CircuitBreakerName(BREAKER)
  public AdminResponse exchange(String method, String path, String body, String ifMatch) {
    try {
      return http.exchange(method, path, body, ifMatch);
    } catch (SocketTimeoutException e) {
      throw new CaddyUnavailableException(method + " " + path + " timed out", e);
    } catch (IOException e) {
      throw new CaddyUnavailableException(method + " " + path + " failed: " + e, e);
    }
  }
}
