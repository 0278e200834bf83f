package io.trynow.platform.health;

import io.nats.client.Connection;
import io.trynow.platform.nats.NatsClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the NATS connection is CONNECTED. */
@Readiness
@ApplicationScoped
public class NatsReadinessCheck implements HealthCheck {

  @Inject NatsClient nats;

  @Override
  public HealthCheckResponse call() {
    Connection c = nats.connectionOrNull();
    String status = c == null ? "NOT_CONNECTED_YET" : c.getStatus().name();
    return HealthCheckResponse.named("nats")
        .status(nats.isConnected())
        .withData("status", status)
        .build();
  }
}
