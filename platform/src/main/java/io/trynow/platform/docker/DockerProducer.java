package io.trynow.platform.docker;

import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import io.trynow.platform.hosts.HostRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.temporal.ChronoUnit;
import java.util.function.Supplier;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

/**
 * CDI wiring of the Docker adapter for the services that use it: one client, one {@link
 * Containers}, one circuit breaker for the engine (when dockerd is down, every kind of call fails
 * fast) with retry of transient failures inside it.
 */
@ApplicationScoped
public class DockerProducer {

  private static final Logger LOG = Logger.getLogger(DockerProducer.class);

  /** The guard's name: the {@code method} tag of its {@code ft_*} metrics. */
  public static final String DESCRIPTION = "docker engine";

  /** Every Docker host of the registry, each with its own client and circuit breaker. */
  @Produces
  @Singleton
  DockerHosts dockerHosts(HostRegistry registry, DockerConfig config) {
    return new DockerHosts(
        registry,
        DockerSettings.from(config),
        // one host keeps the guard's plain name ("docker engine"); several are told apart
        (host, onOpen) -> guard(config, registry.hosts().size() == 1 ? null : host, onOpen),
        config.maxParallelRemovals());
  }

  void close(@Disposes DockerHosts hosts) {
    hosts.close();
  }

  /** The default host's containers (the only host on a single box). */
  @Produces
  @Singleton
  Containers containers(DockerHosts hosts) {
    return hosts.defaultHost();
  }

  /**
   * The engine's guard. SmallRye Fault Tolerance exports its state as metrics ({@code
   * ft_circuitbreaker_state_current{method="docker engine",state=...}}, {@code
   * ft_circuitbreaker_opened_total}, {@code ft_retry_*}).
   */
  static EngineGuard guard(DockerConfig config) {
    return guard(config, null, () -> {});
  }

  /**
   * The guard of one host's engine ({@code host} names it in logs; null: the default one); {@code
   * onOpen} runs each time its breaker opens.
   */
  static EngineGuard guard(DockerConfig config, String host, Runnable onOpen) {
    String what = host == null ? "" : " " + host;
    DockerConfig.Breaker b = config.breaker();
    DockerConfig.Retry r = config.retry();
    Guard guard =
        Guard.create()
            .withDescription(host == null ? DESCRIPTION : DESCRIPTION + " " + host)
            .withRetry()
            .maxRetries(r.maxRetries())
            .delay(r.delay().toMillis(), ChronoUnit.MILLIS)
            .jitter(Math.max(1, r.delay().toMillis() / 4), ChronoUnit.MILLIS)
            .retryOn(DockerUnavailableException.class)
            .withExponentialBackoff()
            .factor(2)
            .maxDelay(r.maxDelay().toMillis(), ChronoUnit.MILLIS)
            .done()
            .done()
            .withCircuitBreaker()
            .name(host == null ? "docker-engine" : "docker-engine-" + host)
            .failOn(DockerUnavailableException.class)
            .requestVolumeThreshold(b.requestVolume())
            .failureRatio(b.failureRatio())
            .delay(b.delay().toMillis(), ChronoUnit.MILLIS)
            .successThreshold(b.successThreshold())
            .onStateChange(state -> {
              if (state == CircuitBreakerState.OPEN) {
                LOG.warnf(
                    "Docker engine%s circuit breaker OPEN: calls fail fast for %s",
                    what, b.delay());
                // pooled connections may be dead (a restarted engine): the trial call after the
                // delay must not go out on one of them
                onOpen.run();
              } else {
                LOG.infof("Docker engine%s circuit breaker %s", what, state);
              }
            })
            .done()
            .build();
    return new EngineGuard() {
      @Override
      public <T> T call(Supplier<T> engineCall) {
        try {
          @SuppressWarnings("unchecked")
          T result = (T) guard.get((Supplier<Object>) engineCall, Object.class);
          return result;
        } catch (CircuitBreakerOpenException e) {
          throw new DockerUnavailableException("Docker engine circuit breaker is open", e);
        }
      }
    };
  }
}
