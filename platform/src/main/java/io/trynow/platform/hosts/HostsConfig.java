package io.trynow.platform.hosts;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;
import java.util.Map;
import java.util.Optional;

/**
 * The Docker hosts instances run on ({@code trynow.hosts.<name>.*}, env {@code
 * TRYNOW_HOSTS_<NAME>_...}); how their health is watched is {@link HostMonitorConfig}.
 *
 * <p>With no host configured, there is one host named {@code local}: the engine of {@code
 * trynow.docker.*} (or {@code DOCKER_HOST}), reached at {@code trynow.endpoints.instance-host} —
 * today's single-box setup, unchanged.
 */
@ConfigMapping(prefix = "trynow.hosts")
public interface HostsConfig {

  /** The host registry, by name ({@code [a-z0-9][a-z0-9-]{0,31}}). */
  @WithParentName
  Map<String, Host> hosts();

  /** One Docker host. */
  interface Host {
    /** Engine address: {@code unix:///path/docker.sock} or {@code tcp://host:2376}. */
    String engine();

    /** Directory with {@code ca.pem}, {@code cert.pem}, {@code key.pem} (TCP+TLS). */
    Optional<String> certPath();

    /** Verify the engine's TLS certificate; defaults to true when {@code cert-path} is set. */
    Optional<Boolean> tlsVerify();

    /**
     * The address Caddy and the provisioner reach this host's instances on (and the address a
     * host-network instance binds, {@code BIND}; a bridge instance's port is published on it).
     */
    String address();

    /** Most live instances placed on this host at once. */
    @WithDefault("100")
    int capacity();

    /**
     * Labels (e.g. {@code disk=ssd}, {@code zone=a}); a template's {@code placement.<label>} must
     * match for its instances to go here.
     */
    Map<String, String> labels();
  }
}
