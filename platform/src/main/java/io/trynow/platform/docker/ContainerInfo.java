package io.trynow.platform.docker;

import io.trynow.model.Labels;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What trynow needs to know about one container.
 *
 * @param status the engine's status word: {@code created}, {@code running}, {@code exited}, {@code
 *     dead}, {@code removing}, {@code paused}, {@code restarting}
 */
public record ContainerInfo(
    String id, String name, Map<String, String> labels, String status, Instant createdAt) {

  public ContainerInfo {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    name = name != null && name.startsWith("/") ? name.substring(1) : name;
  }

  public boolean running() {
    return "running".equals(status);
  }

  /** Created but not started yet. */
  public boolean fresh() {
    return "created".equals(status);
  }

  public Optional<String> instanceId() {
    return Optional.ofNullable(labels.get(Labels.INSTANCE));
  }

  public Optional<String> template() {
    return Optional.ofNullable(labels.get(Labels.TEMPLATE));
  }

  /** Managed by the trynow installation whose Valkey prefix is {@code cluster}. */
  public boolean ownedBy(String cluster) {
    return "true".equals(labels.get(Labels.MANAGED)) && cluster.equals(labels.get(Labels.CLUSTER));
  }
}
