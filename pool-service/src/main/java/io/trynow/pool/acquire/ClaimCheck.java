package io.trynow.pool.acquire;

import io.trynow.platform.endpoints.Endpoints;
import io.trynow.platform.state.Instance;
import io.trynow.platform.template.TemplatesConfig.Template;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * What an instance must pass right before it is handed to a visitor (after the Lua assign, before
 * the reply): with {@code probe-before-claim}, one GET of its health path through {@link
 * Endpoints}. An instance that died while idle is caught here instead of reaching a visitor.
 */
@Singleton
public class ClaimCheck {

  private final Endpoints endpoints;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(2))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  public ClaimCheck(Endpoints endpoints) {
    this.endpoints = endpoints;
  }

  /** Whether this template checks anything at claim time. */
  public boolean enabled(Template t) {
    return t.probeBeforeClaim();
  }

  /** Empty when the instance may be handed out, else why not. */
  public Optional<String> check(Instance i, Template t) {
    if (!t.probeBeforeClaim()) {
      return Optional.empty();
    }
    HttpRequest req =
        HttpRequest.newBuilder(endpoints.instanceUri(i.host(), i.port(), t.healthPath()))
            .timeout(t.claimProbeTimeout())
            .GET()
            .build();
    try {
      int status = http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
      return status / 100 == 2
          ? Optional.empty()
          : Optional.of("probe before claim: HTTP " + status);
    } catch (IOException e) {
      return Optional.of("probe before claim: " + e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("probe before claim: interrupted");
    }
  }
}
