package io.trynow.platform.docker;

import com.github.dockerjava.api.DockerClient;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
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

  @Produces
  @Singleton
  DockerClient dockerClient(DockerConfig config) {
    DockerSettings s = DockerSettings.from(config);
    LOG.infof("Docker engine at %s", s.host());
    return DockerClients.create(s);
  }

  void close(@Disposes DockerClient client) throws IOException {
    client.close();
  }

  @Produces
  @Singleton
  Containers containers(DockerClient client, DockerConfig config) {
    return new Containers(client, guard(config), config.maxParallelRemovals());
  }

  /**
   * The engine's guard. SmallRye Fault Tolerance exports its state as metrics ({@code
   * ft_circuitbreaker_state_current{method="docker engine",state=...}}, {@code
   * ft_circuitbreaker_opened_total}, {@code ft_retry_*}).
   */
  static EngineGuard guard(DockerConfig config) {
    DockerConfig.Breaker b = config.breaker();
    DockerConfig.Retry r = config.retry();
    Guard guard =
        Guard.create()
            .withDescription(DESCRIPTION)
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
            .name("docker-engine")
            .failOn(DockerUnavailableException.class)
            .requestVolumeThreshold(b.requestVolume())
            .failureRatio(b.failureRatio())
            .delay(b.delay().toMillis(), ChronoUnit.MILLIS)
            .successThreshold(b.successThreshold())
            .onStateChange(state -> {
              if (state == CircuitBreakerState.OPEN) {
                LOG.warnf("Docker engine circuit breaker OPEN: calls fail fast for %s", b.delay());
              } else {
                LOG.infof("Docker engine circuit breaker %s", state);
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
