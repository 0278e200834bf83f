package io.trynow.provisioner.health;

import io.trynow.platform.docker.Containers;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the Docker engine answers (through its circuit breaker). */
@Readiness
@ApplicationScoped
public class DockerReadinessCheck implements HealthCheck {

  private final Containers containers;

  DockerReadinessCheck(Containers containers) {
    this.containers = containers;
  }

  @Override
  public HealthCheckResponse call() {
    try {
      containers.ping();
      return HealthCheckResponse.up("docker");
    } catch (RuntimeException e) {
      return HealthCheckResponse.named("docker").down().withData("error", e.getMessage()).build();
    }
  }
}
