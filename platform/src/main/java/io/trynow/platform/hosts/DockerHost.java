package io.trynow.platform.hosts;

import io.trynow.model.Ids;
import java.util.Map;
import java.util.Optional;

/**
 * One Docker host of the registry: its engine, TLS material, the address its instances are reached
 * on, its capacity and labels.
 */
public record DockerHost(
    String name,
    String engine,
    Optional<String> certPath,
    boolean tlsVerify,
    String address,
    int capacity,
    Map<String, String> labels) {

  public DockerHost {
    Ids.requireHost(name);
    labels = Map.copyOf(labels);
    certPath = certPath == null ? Optional.empty() : certPath;
  }

  /** True when the host carries every label of {@code constraints}. */
  public boolean matches(Map<String, String> constraints) {
    return constraints.entrySet().stream()
        .allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }
}
