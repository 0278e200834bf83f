package io.trynow.platform.health;

import io.trynow.platform.supervisor.LoopStatus;
import io.trynow.platform.supervisor.Supervisor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while no supervised loop has been crash-looping for longer than the threshold, and the
 * supervisor is not shutting down. (NATS connectivity is {@link NatsReadinessCheck}.)
 */
@Readiness
@ApplicationScoped
public class LoopsReadinessCheck implements HealthCheck {

  @Inject Supervisor supervisor;

  @Override
  public HealthCheckResponse call() {
    List<LoopStatus> failing = supervisor.crashLoopingLoops();
    boolean up = failing.isEmpty() && !supervisor.isStopping();
    HealthCheckResponseBuilder b = HealthCheckResponse.named("loops").status(up);
    if (supervisor.isStopping()) {
      b.withData("stopping", true);
    }
    for (LoopStatus s : failing) {
      b.withData(s.name(), "failing since " + s.failingSince() + ": " + s.lastError());
    }
    return b.build();
  }
}
