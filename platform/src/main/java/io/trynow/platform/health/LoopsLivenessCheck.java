package io.trynow.platform.health;

import io.trynow.platform.supervisor.LoopStatus;
import io.trynow.platform.supervisor.Supervisor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/** Live while no supervised loop has a stale heartbeat (a stuck loop needs a restart). */
@Liveness
@ApplicationScoped
public class LoopsLivenessCheck implements HealthCheck {

  @Inject Supervisor supervisor;

  @Override
  public HealthCheckResponse call() {
    List<LoopStatus> stale = supervisor.staleLoops();
    HealthCheckResponseBuilder b =
        HealthCheckResponse.named("loops-heartbeat")
            .status(stale.isEmpty())
            .withData("loops", supervisor.status().stream().filter(LoopStatus::running).count());
    for (LoopStatus s : stale) {
      b.withData(s.name(), "stale since " + s.lastBeat());
    }
    return b.build();
  }
}
