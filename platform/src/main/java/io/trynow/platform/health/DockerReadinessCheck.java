package io.trynow.platform.health;

import io.quarkus.arc.properties.IfBuildProperty;
import io.trynow.platform.docker.DockerHosts;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while any Docker host's engine answers (each through its own circuit breaker). Opt-in: only
 * a service that talks to Docker has it, by setting {@code trynow.health.docker=true} in its {@code
 * application.properties} (a build-time switch: provisioner-worker and cleanup-worker).
 */
@Readiness
@ApplicationScoped
@IfBuildProperty(name = "trynow.health.docker", stringValue = "true")
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
