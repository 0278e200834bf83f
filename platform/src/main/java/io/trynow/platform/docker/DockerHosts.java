package io.trynow.platform.docker;

import io.trynow.platform.hosts.DockerHost;
import io.trynow.platform.hosts.HostRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One {@link Containers} per Docker host of the registry, each on its own client and behind its own
 * circuit breaker (a dead host fails fast without slowing the others). Any replica reaches every
 * host, so any provisioner provisions anywhere and any cleanup replica tears down anywhere.
 */
public final class DockerHosts implements AutoCloseable {

  private final HostRegistry registry;
  private final Map<String, Containers> byHost = new LinkedHashMap<>();
  private final Map<String, EngineClient> clients = new LinkedHashMap<>();

  /**
   * Clients for every host of {@code registry}; {@code base} gives pool sizes and timeouts, {@code
   * guard} makes one engine guard per host from the host's name and what to run when its breaker
   * opens (drop the host's pooled connections: {@link EngineClient#reconnect()}).
   */
  public DockerHosts(
      HostRegistry registry,
      DockerSettings base,
      java.util.function.BiFunction<String, Runnable, EngineGuard> guard,
      int maxParallelRemovals) {
    this.registry = registry;
    for (DockerHost h : registry.hosts()) {
      DockerSettings s =
          new DockerSettings(
              h.engine(),
              h.tlsVerify(),
              h.certPath(),
              base.apiVersion(),
              base.maxConnections(),
              base.connectTimeout(),
              base.responseTimeout());
      EngineClient client = new EngineClient(s);
      clients.put(h.name(), client);
      byHost.put(
          h.name(),
          new Containers(client, guard.apply(h.name(), client::reconnect), maxParallelRemovals));
    }
  }

  public HostRegistry registry() {
    return registry;
  }

  /** The containers of registry host {@code host}; null or empty is the default host. */
  public Optional<Containers> on(String host) {
    return registry.hostOf(host).map(h -> byHost.get(h.name()));
  }

  /** The containers of the default host (the only one on a single box). */
  public Containers defaultHost() {
    return byHost.get(registry.defaultHost().name());
  }

  /** Every host with its containers, in registry order. */
  public List<Map.Entry<DockerHost, Containers>> all() {
    return registry.hosts().stream().map(h -> Map.entry(h, byHost.get(h.name()))).toList();
  }

  /**
   * Pings every host's engine (through its breaker): host name → null when it answered, else the
   * error. A readiness check is up while any host answers: one dead host is drained, not a reason
   * to stop the worker.
   */
  public Map<String, String> ping() {
    Map<String, String> out = new LinkedHashMap<>();
    for (var e : byHost.entrySet()) {
      try {
        e.getValue().ping();
        out.put(e.getKey(), null);
      } catch (RuntimeException ex) {
        out.put(e.getKey(), String.valueOf(ex.getMessage()));
      }
    }
    return out;
  }

  /** The readiness answer for a worker: up while any host's engine answers. */
  public org.eclipse.microprofile.health.HealthCheckResponse readiness() {
    Map<String, String> pings = ping();
    var b = org.eclipse.microprofile.health.HealthCheckResponse.named("docker");
    pings.forEach((host, error) -> b.withData(host, error == null ? "up" : "down: " + error));
    return b.status(pings.containsValue(null)).build();
  }

  @Override
  public void close() {
    clients.values().forEach(EngineClient::close);
  }
}
