package io.trynow.platform.hosts;

import io.trynow.model.Ids;
import io.trynow.platform.docker.DockerSettings;
import io.trynow.platform.state.HostSlot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Docker hosts, validated once: which exist, how to reach each engine and its instances, and
 * which of them may run a template ({@link #candidates}). The one default host ({@code local}) when
 * none is configured keeps the single-box setup as it was.
 */
public final class HostRegistry {

  /** Name of the implicit host when the registry is empty. */
  public static final String LOCAL = "local";

  /** Capacity of the implicit host: bounded by the templates' max-total, not by the host. */
  public static final int LOCAL_CAPACITY = 100_000;

  private final Map<String, DockerHost> hosts;
  private final String defaultHost;

  private HostRegistry(Map<String, DockerHost> hosts) {
    this.hosts = Collections.unmodifiableMap(hosts);
    this.defaultHost = hosts.keySet().iterator().next();
  }

  /**
   * From configuration; with no host configured, one {@code local} host on {@code local} (the
   * engine of {@code trynow.docker.*}) reached at {@code localAddress}.
   *
   * @throws IllegalArgumentException naming the first invalid key
   */
  public static HostRegistry from(HostsConfig config, DockerSettings local, String localAddress) {
    Map<String, DockerHost> hosts = new LinkedHashMap<>();
    if (config.hosts().isEmpty()) {
      hosts.put(
          LOCAL,
          new DockerHost(
              LOCAL,
              local.host(),
              local.certPath(),
              local.tlsVerify(),
              localAddress,
              LOCAL_CAPACITY,
              Map.of()));
      return new HostRegistry(hosts);
    }
    config.hosts().keySet().stream()
        .sorted()
        .forEach(name -> {
          HostsConfig.Host h = config.hosts().get(name);
          String key = "trynow.hosts." + name + ".";
          if (!Ids.isHost(name)) {
            throw new IllegalArgumentException(
                "trynow.hosts." + name + " is not a host name (" + Ids.HOST + ")");
          }
          String engine = h.engine().strip();
          if (!engine.startsWith("unix://") && !engine.startsWith("tcp://")) {
            throw new IllegalArgumentException(
                key + "engine must be unix:///path or tcp://host:port, got '" + engine + "'");
          }
          boolean tls = h.tlsVerify().orElse(h.certPath().isPresent());
          if (tls && !engine.startsWith("tcp://")) {
            throw new IllegalArgumentException(key + "tls-verify needs a tcp:// engine");
          }
          String address = h.address().strip();
          if (address.isEmpty() || address.contains(":") && !address.startsWith("[")) {
            throw new IllegalArgumentException(
                key
                    + "address must be a host name or an IP address (no port), got '"
                    + h.address()
                    + "'");
          }
          if (h.capacity() < 0) {
            throw new IllegalArgumentException(key + "capacity must be >= 0");
          }
          hosts.put(
              name,
              new DockerHost(name, engine, h.certPath(), tls, address, h.capacity(), h.labels()));
        });
    return new HostRegistry(hosts);
  }

  /** A registry of exactly these hosts (tests). */
  public static HostRegistry of(List<DockerHost> hosts) {
    Map<String, DockerHost> m = new LinkedHashMap<>();
    hosts.forEach(h -> m.put(h.name(), h));
    if (m.isEmpty()) {
      throw new IllegalArgumentException("no host");
    }
    return new HostRegistry(m);
  }

  public List<DockerHost> hosts() {
    return List.copyOf(hosts.values());
  }

  public Optional<DockerHost> host(String name) {
    return Optional.ofNullable(hosts.get(name));
  }

  /**
   * The host a record names; a record with no host (written before placement existed) is on the
   * default host.
   */
  public Optional<DockerHost> hostOf(String recordHost) {
    return host(recordHost == null || recordHost.isEmpty() ? defaultHost : recordHost);
  }

  /** The first host by name (the only one on a single box). */
  public DockerHost defaultHost() {
    return hosts.get(defaultHost);
  }

  /** The hosts carrying every label of {@code placement}, with their capacity. */
  public List<HostSlot> candidates(Map<String, String> placement) {
    List<HostSlot> out = new ArrayList<>();
    for (DockerHost h : hosts.values()) {
      if (h.matches(placement)) {
        out.add(new HostSlot(h.name(), h.capacity()));
      }
    }
    return out;
  }
}
