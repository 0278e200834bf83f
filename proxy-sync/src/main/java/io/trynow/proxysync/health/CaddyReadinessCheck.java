package io.trynow.proxysync.health;

import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.trynow.proxysync.caddy.CaddyAdmin;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready while the Caddy admin circuit breaker is open (Caddy unreachable). */
@Readiness
@ApplicationScoped
public class CaddyReadinessCheck implements HealthCheck {

  private final CircuitBreakerMaintenance breakers;

  CaddyReadinessCheck(CircuitBreakerMaintenance breakers) {
    this.breakers = breakers;
  }

  @Override
  public HealthCheckResponse call() {
    CircuitBreakerState state = breakers.currentState(CaddyAdmin.BREAKER);
    return HealthCheckResponse.named("caddy")
        .status(state != CircuitBreakerState.OPEN)
        .withData("circuit-breaker", state.name())
        .build();
  }
}
