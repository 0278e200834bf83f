package io.trynow.platform.endpoints;

import io.trynow.model.Ids;
import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one place that decides addresses (addresses are configuration, decided once): the public URL
 * of a demo, the host name Caddy routes, where Caddy listens, how Caddy and the provisioner reach
 * an instance, and what the provisioner publishes. Built from {@link EndpointsConfig} and validated
 * once; an invalid setting fails startup with the key's name.
 */
public final class Endpoints {

  private static final Pattern DNS_NAME =
      Pattern.compile("([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  // A host name or an IPv4 address, or an IPv6 literal in brackets: what goes before ":port".
  private static final Pattern HOST =
      Pattern.compile(
          "([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?|\\[[0-9a-fA-F:.]+\\]");
  private static final String KEY = "trynow.endpoints.";

  private final String scheme;
  private final String demoDomain;
  private final int publicPort;
  private final String caddyListenHost;
  private final int caddyHttpPort;
  private final String instanceHost;
  private final String publishHost;
  private final java.util.Map<String, String> hostAddresses;

  private Endpoints(
      String scheme,
      String demoDomain,
      int publicPort,
      String caddyListenHost,
      int caddyHttpPort,
      String instanceHost,
      String publishHost,
      java.util.Map<String, String> hostAddresses) {
    this.scheme = scheme;
    this.demoDomain = demoDomain;
    this.publicPort = publicPort;
    this.caddyListenHost = caddyListenHost;
    this.caddyHttpPort = caddyHttpPort;
    this.instanceHost = instanceHost;
    this.publishHost = publishHost;
    this.hostAddresses = hostAddresses;
  }

  /**
   * Validates {@code c}.
   *
   * @throws IllegalArgumentException naming the first invalid key
   */
  public static Endpoints from(EndpointsConfig c) {
    return from(c, java.util.Map.of());
  }

  /**
   * Validates {@code c}; {@code hostAddresses} are the Docker hosts' instance addresses by registry
   * name ({@code trynow.hosts.<name>.address}); a host not among them (the implicit {@code local}
   * one, or a record with no host) is reached at {@code instance-host}.
   *
   * @throws IllegalArgumentException naming the first invalid key
   */
  public static Endpoints from(EndpointsConfig c, java.util.Map<String, String> hostAddresses) {
    java.util.Map<String, String> addresses = new java.util.TreeMap<>();
    hostAddresses.forEach(
        (name, address) -> addresses.put(name, host("hosts." + name + ".address", address)));
    String scheme = c.publicScheme().strip().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw invalid("public-scheme", "must be http or https", c.publicScheme());
    }
    String domain = c.demoDomain().strip();
    if (domain.length() > 200 || !DNS_NAME.matcher(domain).matches()) {
      throw invalid("demo-domain", "must be a lower-case DNS name", c.demoDomain());
    }
    return new Endpoints(
        scheme,
        domain,
        port("public-port", c.publicPort()),
        host("caddy-listen-host", c.caddyListenHost()),
        port("caddy-http-port", c.caddyHttpPort()),
        host("instance-host", c.instanceHost()),
        host("publish-host", c.publishHost()),
        java.util.Collections.unmodifiableMap(addresses));
  }

  /** The host name Caddy routes for an instance: {@code <id>.<demo domain>}. */
  public String demoHost(String instanceId) {
    Ids.requireInstance(instanceId);
    return instanceId + "." + demoDomain;
  }

  /**
   * The URL a visitor opens: {@code <scheme>://<id>.<demo domain>[:port]}, the port left out when
   * it is the scheme's default. Known before the instance exists (it is given to the container at
   * create as {@code TRYNOW_PUBLIC_URL}).
   */
  public String publicUrl(String instanceId) {
    boolean defaultPort =
        (scheme.equals("http") && publicPort == 80)
            || (scheme.equals("https") && publicPort == 443);
    return scheme + "://" + demoHost(instanceId) + (defaultPort ? "" : ":" + publicPort);
  }

  /** The demo domain, e.g. {@code demo.localhost}. */
  public String demoDomain() {
    return demoDomain;
  }

  /** Caddy's demo server's listen address, {@code host:port}. */
  public String caddyListen() {
    return caddyListenHost + ":" + caddyHttpPort;
  }

  /** Port of Caddy's demo server. */
  public int caddyHttpPort() {
    return caddyHttpPort;
  }

  /** Where Caddy proxies an instance listening on {@code port}: {@code host:port}. */
  public String upstream(int port) {
    return instanceHost + ":" + requirePort(port);
  }

  /**
   * A URL on the instance itself (health checks, on-claim hooks): {@code http://host:port/path}.
   */
  public URI instanceUri(int port, String path) {
    String p = path == null || path.isEmpty() ? "/" : path.startsWith("/") ? path : "/" + path;
    return URI.create("http://" + upstream(port) + p);
  }

  /** Host address a {@code bridge} template's port is published on. */
  public String publishHost() {
    return publishHost;
  }

  /**
   * The address of Docker host {@code host} (registry name) that its instances are reached on;
   * {@code null}, or a host without a registry address, is {@code instance-host}.
   */
  public String instanceAddress(String host) {
    return host == null ? instanceHost : hostAddresses.getOrDefault(host, instanceHost);
  }

  /** Where Caddy proxies an instance on Docker host {@code host} listening on {@code port}. */
  public String upstream(String host, int port) {
    return instanceAddress(host) + ":" + requirePort(port);
  }

  /** A URL on an instance on Docker host {@code host}: {@code http://address:port/path}. */
  public URI instanceUri(String host, int port, String path) {
    String p = path == null || path.isEmpty() ? "/" : path.startsWith("/") ? path : "/" + path;
    return URI.create("http://" + upstream(host, port) + p);
  }

  /**
   * The address an instance on {@code host} is bound to: a host-network instance binds it ({@code
   * BIND}); a bridge instance's port is published on it. For a registry host its address, else
   * {@code publish-host}.
   */
  public String publishHost(String host) {
    return host != null && hostAddresses.containsKey(host) ? hostAddresses.get(host) : publishHost;
  }

  private static int requirePort(int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    return port;
  }

  private static int port(String key, int port) {
    if (port < 1 || port > 65535) {
      throw invalid(key, "must be a port in 1..65535", String.valueOf(port));
    }
    return port;
  }

  private static String host(String key, String host) {
    String h = host == null ? "" : host.strip();
    if (h.length() > 253 || !HOST.matcher(h).matches()) {
      throw invalid(key, "must be a host name or an IP address (no scheme, no port)", host);
    }
    return h;
  }

  private static IllegalArgumentException invalid(String key, String what, String value) {
    String full = key.startsWith("hosts.") ? "trynow." + key : KEY + key;
    return new IllegalArgumentException(full + " " + what + ", got '" + value + "'");
  }

  @Override
  public String toString() {
    String sample = "i" + "a".repeat(19);
    return "demos at "
        + publicUrl(sample).replace(sample, "<id>")
        + ", caddy listens on "
        + caddyListen()
        + ", instances at "
        + instanceHost
        + ", published on "
        + publishHost
        + (hostAddresses.isEmpty() ? "" : ", docker hosts at " + hostAddresses);
  }
}
