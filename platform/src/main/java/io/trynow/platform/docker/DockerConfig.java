package io.trynow.platform.docker;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * How the workers reach the Docker engine ({@code trynow.docker.*}, env {@code TRYNOW_DOCKER_...}).
 * Without {@code host}, the standard {@code DOCKER_HOST} / {@code DOCKER_TLS_VERIFY} / {@code
 * DOCKER_CERT_PATH} environment applies, and without those the local unix socket.
 */
@ConfigMapping(prefix = "trynow.docker")
public interface DockerConfig {

  /** Engine address: {@code unix:///var/run/docker.sock} or {@code tcp://host:2376}. */
  Optional<String> host();

  /** Verify the engine's TLS certificate (TCP only); defaults to {@code DOCKER_TLS_VERIFY}. */
  Optional<Boolean> tlsVerify();

  /** Directory with {@code ca.pem}, {@code cert.pem}, {@code key.pem} for TCP+TLS. */
  Optional<String> certPath();

  /**
   * Engine API version, e.g. {@code 1.41}; empty = the engine's own. Docker 20.10 answers 400 to
   * anything newer than 1.41.
   */
  Optional<String> apiVersion();

  /** Most open connections to the engine (also per route). */
  @WithDefault("32")
  int maxConnections();

  /** Connect timeout to the engine. */
  @WithDefault("3s")
  Duration connectTimeout();

  /** Response timeout of one engine call (create, start, remove, list). */
  @WithDefault("30s")
  Duration responseTimeout();

  /**
   * Container removals this process runs at once (the rest queue). Docker 20.10 (e.g. Debian 12's
   * 20.10.24) can deadlock its network controller when many containers exit at the same moment
   * (moby/moby#46661, fixed in later engines): dockerd then hangs every start and remove until it
   * is restarted. Keeping removals few at a time makes that much less likely.
   */
  @WithDefault("4")
  int maxParallelRemovals();

  /** The circuit breaker in front of the engine (one for all calls). */
  Breaker breaker();

  /** Retry of transient engine failures inside one operation. */
  Retry retry();

  /** Circuit breaker settings. */
  interface Breaker {
    /** Calls in the rolling window the failure ratio is computed over. */
    @WithDefault("8")
    int requestVolume();

    /** Failed share of the window that opens the breaker. */
    @WithDefault("0.5")
    double failureRatio();

    /** How long the breaker stays open before letting a trial call through. */
    @WithDefault("3s")
    Duration delay();

    /** Successful trial calls that close it again. */
    @WithDefault("1")
    int successThreshold();
  }

  /** Retry settings. */
  interface Retry {
    /** Retries after the first attempt (0 = none). */
    @WithDefault("2")
    int maxRetries();

    /** First delay between attempts; doubles each time. */
    @WithDefault("100ms")
    Duration delay();

    /** Largest delay between attempts. */
    @WithDefault("1s")
    Duration maxDelay();
  }
}
