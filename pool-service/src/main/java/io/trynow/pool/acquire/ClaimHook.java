package io.trynow.pool.acquire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trynow.model.Json;
import io.trynow.platform.endpoints.Endpoints;
import io.trynow.platform.state.Instance;
import io.trynow.platform.template.HookSignature;
import io.trynow.platform.template.TemplatesConfig.Hook;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A template's on-claim hook over HTTP: {@code POST <instance><hook.path>} with {@code
 * {instance_id, public_url, claim_id, expires_at, fields}} and {@code X-Trynow-Signature:
 * sha256=<hex HMAC-SHA256(secret, body)>}, answered 2xx within {@code hook.timeout} (connect
 * included: the call is abandoned at the deadline). The claim id is the request id, so a
 * redelivered acquire calls it again with the same id and the instance does not repeat its effect.
 */
@Singleton
public class ClaimHook {

  private final Endpoints endpoints;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  public ClaimHook(Endpoints endpoints) {
    this.endpoints = endpoints;
  }

  /**
   * Why a hook call failed: {@code timeout}, {@code status} or {@code error} (the metric's tag).
   */
  public record Failure(String kind, String reason) {}

  /** Empty when the hook answered 2xx in time. */
  public Optional<Failure> call(Instance i, Hook hook, String claimId, String fieldsJson) {
    byte[] body = body(i, claimId, fieldsJson);
    HttpRequest req =
        HttpRequest.newBuilder(endpoints.instanceUri(i.host(), i.port(), hook.path()))
            .timeout(hook.timeout())
            .header("Content-Type", "application/json")
            .header(HookSignature.HEADER, HookSignature.of(hook.secret().orElseThrow(), body))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    CompletableFuture<HttpResponse<Void>> f =
        http.sendAsync(req, HttpResponse.BodyHandlers.discarding());
    try {
      int status = f.get(hook.timeout().toMillis(), TimeUnit.MILLISECONDS).statusCode();
      return status / 100 == 2
          ? Optional.empty()
          : Optional.of(new Failure("status", "on-claim hook: HTTP " + status));
    } catch (TimeoutException e) {
      f.cancel(true);
      return Optional.of(timedOut(hook));
    } catch (ExecutionException e) {
      return e.getCause() instanceof HttpTimeoutException
          ? Optional.of(timedOut(hook))
          : Optional.of(
              new Failure("error", "on-claim hook: " + e.getCause().getClass().getSimpleName()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.cancel(true);
      return Optional.of(new Failure("error", "on-claim hook: interrupted"));
    }
  }

  private static Failure timedOut(Hook hook) {
    return new Failure(
        "timeout", "on-claim hook: no answer within " + hook.timeout().toMillis() + " ms");
  }

  /** The JSON the hook gets. */
  public static byte[] body(Instance i, String claimId, String fieldsJson) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("instance_id", i.id());
    n.put("public_url", i.url());
    n.put("claim_id", claimId);
    if (i.expiresAt() != null) {
      n.put("expires_at", i.expiresAt().toString());
    }
    try {
      JsonNode fields =
          fieldsJson == null ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(fieldsJson);
      n.set("fields", fields);
      return Json.MAPPER.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new IllegalArgumentException("fields are not JSON", e);
    }
  }
}
