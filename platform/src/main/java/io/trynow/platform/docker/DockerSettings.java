package io.trynow.platform.docker;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Validated engine connection settings; built from {@link DockerConfig} in services and directly in
 * tests and benchmarks. A bad value fails with a message naming its key.
 */
public record DockerSettings(
    String host,
    boolean tlsVerify,
    Optional<String> certPath,
    Optional<String> apiVersion,
    int maxConnections,
    Duration connectTimeout,
    Duration responseTimeout) {

  private static final Pattern API_VERSION = Pattern.compile("1\\.\\d{1,2}");
  public static final String DEFAULT_HOST = "unix:///var/run/docker.sock";

  public DockerSettings {
    if (host == null || !(host.startsWith("unix://") || host.startsWith("tcp://"))) {
      throw new IllegalArgumentException(
          "trynow.docker.host must be unix:///path or tcp://host:port, got '" + host + "'");
    }
    if (tlsVerify && !host.startsWith("tcp://")) {
      throw new IllegalArgumentException("trynow.docker.tls-verify needs a tcp:// host");
    }
    apiVersion.ifPresent(v -> {
      if (!API_VERSION.matcher(v).matches()) {
        throw new IllegalArgumentException(
            "trynow.docker.api-version must look like 1.41, got '" + v + "'");
      }
    });
    if (maxConnections < 1) {
      throw new IllegalArgumentException("trynow.docker.max-connections must be at least 1");
    }
    requirePositive(connectTimeout, "trynow.docker.connect-timeout");
    requirePositive(responseTimeout, "trynow.docker.response-timeout");
  }

  /** Settings from config, falling back to the standard Docker environment variables. */
  public static DockerSettings from(DockerConfig c) {
    String host = c.host().orElseGet(() -> env("DOCKER_HOST").orElse(DEFAULT_HOST));
    boolean tls =
        c.tlsVerify()
            .orElseGet(() ->
                env("DOCKER_TLS_VERIFY").map(v -> !v.isEmpty() && !v.equals("0")).orElse(false));
    Optional<String> certPath = c.certPath().or(() -> env("DOCKER_CERT_PATH"));
    return new DockerSettings(
        host,
        tls,
        certPath,
        c.apiVersion(),
        c.maxConnections(),
        c.connectTimeout(),
        c.responseTimeout());
  }

  /** Local defaults for tests and benchmarks: {@code DOCKER_HOST} or the unix socket. */
  public static DockerSettings local() {
    return new DockerSettings(
        env("DOCKER_HOST").orElse(DEFAULT_HOST),
        false,
        Optional.empty(),
        Optional.empty(),
        32,
        Duration.ofSeconds(3),
        Duration.ofSeconds(30));
  }

  /** The same settings against another engine address (tests point it at a proxy). */
  public DockerSettings withHost(String otherHost) {
    return new DockerSettings(
        otherHost,
        tlsVerify,
        certPath,
        apiVersion,
        maxConnections,
        connectTimeout,
        responseTimeout);
  }

  private static Optional<String> env(String name) {
    return Optional.ofNullable(System.getenv(name)).filter(v -> !v.isBlank());
  }

  private static void requirePositive(Duration d, String key) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(key + " must be a positive duration");
    }
  }
}
