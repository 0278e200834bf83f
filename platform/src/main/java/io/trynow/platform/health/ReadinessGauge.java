package io.trynow.platform.health;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.SmallRyeHealthReporter;
import io.trynow.platform.metrics.MetricNames;
import io.trynow.platform.supervisor.Supervisor;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code trynow_ready}: 1 while the service's own readiness checks pass (the same as {@code
 * /q/health/ready}), 0 otherwise — evaluated by a supervised loop every 5 s, never at scrape time.
 * A service that is down reports nothing: alert on {@code up == 0} as well.
 */
@Singleton
public class ReadinessGauge {

  static final Duration PERIOD = Duration.ofSeconds(5);

  private final AtomicInteger ready = new AtomicInteger();
  private final SmallRyeHealthReporter health;

  public ReadinessGauge(SmallRyeHealthReporter health, MeterRegistry meters) {
    this.health = health;
    Gauge.builder(MetricNames.READY, ready, AtomicInteger::get)
        .description("1 while the readiness checks pass")
        .register(meters);
  }

  void start(@Observes StartupEvent ev, Supervisor supervisor) {
    supervisor.every("readiness-gauge", PERIOD, this::check);
  }

  void check() {
    ready.set(health.getReadiness().isDown() ? 0 : 1);
  }
}
