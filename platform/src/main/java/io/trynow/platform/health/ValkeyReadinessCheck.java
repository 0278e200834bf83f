package io.trynow.platform.health;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.trynow.platform.state.Store;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while Valkey answers a PING through the store's own client (the one Valkey client of
 * the service: the same address, TLS, credentials and Sentinel as every store call). Non-blocking.
 * DOWN names Valkey, where it is, and what failed: refused or unreachable, TLS handshake, AUTH
 * ({@code WRONGPASS}/{@code NOAUTH}), no answer within 3 s.
 */
@Readiness
@ApplicationScoped
public class ValkeyReadinessCheck implements AsyncHealthCheck {

  private static final Duration DEADLINE = Duration.ofSeconds(3);

  @Inject Store store;

  @Override
  public Uni<HealthCheckResponse> call() {
    String where = store.where();
    return Uni.createFrom()
        .completionStage(store::pingAsync)
        .ifNoItem()
        .after(DEADLINE)
        .failWith(
            () -> new IllegalStateException("no answer within " + DEADLINE.toSeconds() + " s"))
        .map(v -> HealthCheckResponse.named("valkey").up().withData("address", where).build())
        .onFailure()
        .recoverWithItem(e ->
            HealthCheckResponse.named("valkey")
                .down()
                .withData("address", where)
                .withData("error", "valkey at " + where + ": " + reason(e))
                .build());
  }

  private static String reason(Throwable e) {
    Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }
}
