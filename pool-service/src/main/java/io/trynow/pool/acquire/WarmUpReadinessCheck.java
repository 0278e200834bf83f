package io.trynow.pool.acquire;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness {@code warm-up}: DOWN until {@link AcquireWarmUp} has run (rounds and ms as data). */
@Readiness
@Singleton
public class WarmUpReadinessCheck implements HealthCheck {

  private final AcquireWarmUp warmUp;

  public WarmUpReadinessCheck(AcquireWarmUp warmUp) {
    this.warmUp = warmUp;
  }

  @Override
  public HealthCheckResponse call() {
    return warmUp.health();
  }
}
