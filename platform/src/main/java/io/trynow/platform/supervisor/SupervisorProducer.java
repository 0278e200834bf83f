package io.trynow.platform.supervisor;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The {@link Supervisor} bean, and its shutdown on Quarkus' shutdown event at priority 100: loops
 * stop and in-flight work finishes (or is handed back) <em>before</em> {@code NatsClient} drains
 * the connection at priority 9000 (lower priorities are notified first).
 */
@Singleton
public class SupervisorProducer {

  /** Priority of the supervisor's shutdown observer: before the NATS drain (9000). */
  public static final int SHUTDOWN_PRIORITY = 100;

  @Produces
  @Singleton
  Supervisor supervisor(SupervisorConfig config, MeterRegistry meters) {
    Backoff backoff;
    try {
      backoff = new Backoff(config.backoffInitial(), config.backoffMax(), config.backoffJitter());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("trynow.supervisor.backoff-*: " + e.getMessage(), e);
    }
    return new Supervisor(
        new Supervisor.Options(
            backoff, config.staleAfter(), config.crashThreshold(), config.shutdownGrace()),
        meters);
  }

  void onStop(@Observes @Priority(SHUTDOWN_PRIORITY) ShutdownEvent ev, Supervisor supervisor) {
    supervisor.shutdown();
  }
}
