package io.trynow.cleanup.health;

import io.trynow.platform.docker.DockerHosts;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready while any Docker host's engine answers (each through its own circuit breaker). */
@Readiness
@ApplicationScoped
public class DockerReadinessCheck implements HealthCheck {

  private final DockerHosts hosts;

  DockerReadinessCheck(DockerHosts hosts) {
    this.hosts = hosts;
  }

  @Override
  public HealthCheckResponse call() {
    return hosts.readiness();
  }
}
