package io.trynow.pool.acquire;

import io.trynow.platform.endpoints.Endpoints;
import io.trynow.platform.state.Instance;
import io.trynow.platform.template.TemplatesConfig.Template;
import io.trynow.pool.acquire.ClaimHook.Failure;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * What an instance must pass right before it is handed to a visitor (after the Lua assign, before
 * the visitor is told): with {@code probe-before-claim}, one GET of its health path through {@link
 * Endpoints}; then the template's on-claim hook ({@link ClaimHook}), if it has one. An instance
 * that died while idle, or whose hook fails or is slow, is caught here instead of reaching a
 * visitor.
 */
@Singleton
public class ClaimCheck {

  private final Endpoints endpoints;
  private final ClaimHook hook;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(2))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  public ClaimCheck(Endpoints endpoints, ClaimHook hook) {
    this.endpoints = endpoints;
    this.hook = hook;
  }

  /** Whether this template checks anything at claim time. */
  public boolean enabled(Template t) {
    return t.checksClaims();
  }

  /**
   * Empty when the instance may be handed out, else why not.
   *
   * @param claimId the claim's id given to the hook: the request id (the same on a redelivery)
   * @param fieldsJson the visitor fields (JSON object) or null
   */
  public Optional<Failure> check(Instance i, Template t, String claimId, String fieldsJson) {
    if (t.probeBeforeClaim()) {
      Optional<String> probe = probe(i, t);
      if (probe.isPresent()) {
        return Optional.of(new Failure("probe", probe.get()));
      }
    }
    if (t.hook().enabled()) {
      return hook.call(i, t.hook(), claimId, fieldsJson);
    }
    return Optional.empty();
  }

  private Optional<String> probe(Instance i, Template t) {
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
