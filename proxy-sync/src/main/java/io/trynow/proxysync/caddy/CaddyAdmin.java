package io.trynow.proxysync.caddy;

import io.smallrye.faulttolerance.api.CircuitBreakerName;
import io.trynow.proxysync.config.CaddyConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;

/**
 * The only door to Caddy's admin API. Each call goes through a retry (transport errors only) and
 * the {@value #BREAKER} circuit breaker, which opens after repeated transport failures so that a
 * dead Caddy costs callers nothing while it is down, and closes after a successful trial call.
 *
 * <p>Caddy 2.6 sends the config {@code ETag} as an HTTP trailer (its GET handler hashes the config
 * while streaming it). The JDK {@code HttpClient} drops trailers, so this uses the Vert.x client,
 * which exposes them: the ETag is then sent back in {@code If-Match} for optimistic concurrency.
 * HTTP answers, including 4xx/5xx, are returned as they are; only transport failures throw.
 */
@ApplicationScoped
public class CaddyAdmin {

  /** Name of the circuit breaker, for {@code CircuitBreakerMaintenance}. */
  public static final String BREAKER = "caddy-admin";

  private final HttpClient client;
  private final String baseUrl;
  private final long timeoutMs;

  CaddyAdmin(Vertx vertx, CaddyConfig config) {
    this.timeoutMs = config.requestTimeout().toMillis();
    String url = config.adminUrl();
    this.baseUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setMaxPoolSize(8)
                // Caddy closes the connection after every config change (Connection: close);
                // reusing pooled connections races with that close. Loopback connects are cheap.
                .setKeepAlive(false)
                .setConnectTimeout((int) timeoutMs));
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
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.valueOf(method))
            .setAbsoluteURI(baseUrl + path)
            .setTimeout(timeoutMs);
    if (ifMatch != null) {
      options.putHeader("If-Match", ifMatch);
    }
    if (body != null) {
      options.putHeader("Content-Type", "application/json");
    }
    try {
      return client
          .request(options)
          .compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
          .compose(resp -> resp.body().map(b -> response(resp, b)))
          .toCompletionStage()
          .toCompletableFuture()
          .get(timeoutMs + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new CaddyUnavailableException(
          method + " " + path + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new CaddyUnavailableException(method + " " + path + " timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CaddyUnavailableException(method + " " + path + " interrupted", e);
    }
  }

  private static AdminResponse response(HttpClientResponse resp, Buffer body) {
    String etag = resp.trailers().get("Etag");
    if (etag == null) {
      etag = resp.getHeader("Etag");
    }
    return new AdminResponse(resp.statusCode(), body.toString(StandardCharsets.UTF_8), etag);
  }

  @PreDestroy
  void close() {
    client.close();
  }
}
