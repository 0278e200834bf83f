package io.trynow.platform.docker;

/** Metric names of the Docker adapter. */
public final class DockerMetrics {

  private DockerMetrics() {}

  /** 1 while the engine's circuit breaker is open, else 0. */
  public static final String BREAKER_OPEN = "trynow_docker_breaker_open";
}
