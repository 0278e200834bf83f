package io.trynow.platform.health;

import io.nats.client.Connection;
import io.trynow.platform.nats.NatsClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the NATS connection is CONNECTED. The data names how the service authenticates
 * and whether it uses TLS, and while down the client's last error (e.g. {@code Authorization
 * Violation}, a certificate the server refused): which of the settings failed.
 */
@Readiness
@ApplicationScoped
public class NatsReadinessCheck implements HealthCheck {

  @Inject NatsClient nats;

  @Override
  public HealthCheckResponse call() {
    Connection c = nats.connectionOrNull();
    String status = c == null ? "NOT_CONNECTED_YET" : c.getStatus().name();
    boolean up = nats.isConnected();
    HealthCheckResponseBuilder r =
        HealthCheckResponse.named("nats")
            .status(up)
            .withData("status", status)
            .withData("auth", nats.security().auth())
            .withData("tls", nats.security().tls());
    String error = nats.lastError();
    if (!up && error != null) {
      r.withData("last_error", error);
    }
    return r.build();
  }
}
