package io.trynow.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.trynow.model.Json;
import io.trynow.model.Labels;
import io.trynow.platform.state.Store;
import io.trynow.testsupport.DockerSocketProxy;
import io.trynow.testsupport.FreePorts;
import io.trynow.testsupport.RealServers;
import io.trynow.testsupport.SampleImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * The whole trynow stack for one test class: real NATS (JetStream), Valkey and Caddy from the
 * harness, the host's Docker engine, and the five services as processes from their built jars —
 * each on a free port, all under one unique Valkey prefix (also the containers' {@code
 * trynow.cluster} label) and one free instance port range. Logs go to {@code
 * target/stack/<name>/<service>.log}.
 *
 * <pre>{@code
 * try (Stack stack = Stack.builder("lifecycle").template("hello", Map.of("min-ready", "2")).start()) {
 *   stack.kill(Service.PROXY_SYNC);   // SIGKILL
 *   stack.start(Service.PROXY_SYNC);  // and wait until ready
 * }
 * }</pre>
 */
public final class Stack implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(Stack.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** The demo domain of every stack. */
  public static final String DEMO_DOMAIN = "demo.localhost";

  private final String name;
  private final RealServers servers;
  private final String prefix;
  private final int portsFirst;
  private final int portsLast;
  private final DockerSocketProxy dockerProxy;
  private final Map<String, String> commonProperties;
  private final Map<Service, Map<String, String>> serviceProperties;
  private final Map<Service, ServiceProcess> processes = new EnumMap<>(Service.class);
  private Store store;

  private Stack(Builder b) {
    this.name = b.name;
    this.prefix = "st" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    this.portsFirst = FreePorts.range(b.ports);
    this.portsLast = portsFirst + b.ports - 1;
    this.commonProperties = new LinkedHashMap<>(b.common);
    this.serviceProperties = new EnumMap<>(Service.class);
    b.perService.forEach((s, m) -> serviceProperties.put(s, new LinkedHashMap<>(m)));
    SampleImage.ensureBuilt();
    this.servers =
        RealServers.start(
            RealServers.Kind.NATS,
            RealServers.Kind.VALKEY,
            RealServers.Kind.CADDY,
            RealServers.Kind.DOCKER);
    this.dockerProxy = b.dockerProxy ? DockerSocketProxy.start() : null;
    Path logs = Path.of("target", "stack", name + "-" + prefix).toAbsolutePath();
    try {
      Files.createDirectories(logs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path repo = SampleImage.RepoRoot.find();
    for (Service s : Service.values()) {
      processes.put(s, new ServiceProcess(s, repo, FreePorts.one(), logs));
    }
    LOG.infof(
        "stack %s: prefix %s, ports %d-%d, logs %s", name, prefix, portsFirst, portsLast, logs);
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** What a stack is started with. */
  public static final class Builder {
    private final String name;
    private final Map<String, String> common = new LinkedHashMap<>();
    private final Map<Service, Map<String, String>> perService = new EnumMap<>(Service.class);
    private int ports = 100;
    private boolean dockerProxy;

    private Builder(String name) {
      this.name = name;
    }

    /** A config property ({@code -Dkey=value}) for every service. */
    public Builder property(String key, String value) {
      common.put(key, value);
      return this;
    }

    /** A config property for one service. */
    public Builder property(Service service, String key, String value) {
      perService.computeIfAbsent(service, s -> new LinkedHashMap<>()).put(key, value);
      return this;
    }

    /** Template settings ({@code trynow.templates.<name>.<key>}) for every service. */
    public Builder template(String template, Map<String, String> settings) {
      settings.forEach((k, v) -> property("trynow.templates." + template + "." + k, v));
      return this;
    }

    /** Size of the instance port range. */
    public Builder ports(int n) {
      this.ports = n;
      return this;
    }

    /**
     * The workers reach Docker through a {@link DockerSocketProxy} that the test can cut and
     * restore, as a dockerd restart looks to them.
     */
    public Builder dockerThroughProxy() {
      this.dockerProxy = true;
      return this;
    }

    /** Starts the servers and all five services, and waits until every one is ready. */
    public Stack start() {
      Stack stack = new Stack(this);
      try {
        stack.startAll();
        return stack;
      } catch (RuntimeException | Error e) {
        stack.close();
        throw e;
      }
    }
  }

  private void startAll() {
    for (Service s : Service.values()) {
      processes.get(s).start(env(s), properties(s));
    }
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    for (Service s : Service.values()) {
      waits.add(CompletableFuture.runAsync(() -> processes.get(s).awaitReady(READY_TIMEOUT)));
    }
    try {
      CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).join();
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  // ---- the services -----------------------------------------------------------------------------

  /** The environment of one service (what {@code ./trynow up} sets, pointed at this stack). */
  public Map<String, String> env(Service s) {
    Map<String, String> env = new HashMap<>();
    env.put("TRYNOW_NATS_URL", servers.nats().url());
    env.put("TRYNOW_VALKEY_URL", servers.valkey().url());
    env.put("TRYNOW_VALKEY_PREFIX", prefix);
    env.put("TRYNOW_CADDY_ADMIN_URL", servers.caddy().adminUrl());
    env.put("TRYNOW_CADDY_HTTP_PORT", String.valueOf(servers.caddy().httpPort()));
    env.put("TRYNOW_DEMO_DOMAIN", DEMO_DOMAIN);
    env.put("TRYNOW_PORTS_FIRST", String.valueOf(portsFirst));
    env.put("TRYNOW_PORTS_LAST", String.valueOf(portsLast));
    env.put("TRYNOW_SHUTDOWN_GRACE", "5s");
    env.put(SampleImage.CONFIG_LOCATIONS, SampleImage.templateFile().toString());
    if (s == Service.API_GATEWAY) {
      // Production (the jar's default profile) refuses to start without one; a property wins.
      env.put("TRYNOW_GATEWAY_TICKET_SECRET", "stack-ticket-secret-" + prefix);
    }
    if (dockerProxy != null) {
      env.put("TRYNOW_DOCKER_HOST", dockerProxy.dockerHost());
    }
    return env;
  }

  private Map<String, String> properties(Service s) {
    Map<String, String> p = new LinkedHashMap<>(commonProperties);
    p.putAll(serviceProperties.getOrDefault(s, Map.of()));
    return p;
  }

  /** Changes a property of one service; takes effect at its next start. */
  public void setProperty(Service s, String key, String value) {
    serviceProperties.computeIfAbsent(s, x -> new LinkedHashMap<>()).put(key, value);
  }

  /** Removes a per-service property; takes effect at its next start. */
  public void removeProperty(Service s, String key) {
    serviceProperties.getOrDefault(s, new LinkedHashMap<>()).remove(key);
  }

  /** Changes a property of every service; takes effect at their next start. */
  public void setProperty(String key, String value) {
    commonProperties.put(key, value);
  }

  /** Starts a stopped or killed service and waits until it is ready. */
  public void start(Service s) {
    processes.get(s).start(env(s), properties(s));
    processes.get(s).awaitReady(READY_TIMEOUT);
  }

  /** Starts a service without waiting for readiness. */
  public void startNoWait(Service s) {
    processes.get(s).start(env(s), properties(s));
  }

  /** SIGTERM and wait for the exit (graceful shutdown). */
  public void stop(Service s) {
    processes.get(s).stop();
  }

  /** kill -9. */
  public void kill(Service s) {
    LOG.infof("stack %s: kill -9 %s (pid %d)", name, s.module(), processes.get(s).pid());
    processes.get(s).kill();
  }

  public void restart(Service s) {
    stop(s);
    start(s);
  }

  public boolean isRunning(Service s) {
    return processes.get(s).isRunning();
  }

  public boolean isReady(Service s) {
    return processes.get(s).ready();
  }

  /** {@code http://127.0.0.1:<port>} of a service. */
  public String url(Service s) {
    return "http://127.0.0.1:" + processes.get(s).httpPort();
  }

  public Path log(Service s) {
    return processes.get(s).log();
  }

  /** The last lines of a service's log, for assertion messages. */
  public String logTail(Service s, int lines) {
    return processes.get(s).tail(lines);
  }

  // ---- the servers and what they hold -----------------------------------------------------------

  public RealServers servers() {
    return servers;
  }

  public String prefix() {
    return prefix;
  }

  public int portsFirst() {
    return portsFirst;
  }

  public int portsLast() {
    return portsLast;
  }

  /** The proxy in front of the Docker engine ({@link Builder#dockerThroughProxy()}), else null. */
  public DockerSocketProxy dockerProxy() {
    return dockerProxy;
  }

  /** The state store of this stack (the test's own connection). */
  public synchronized Store store() {
    if (store == null) {
      store = Store.connect(servers.valkey().url(), prefix);
    }
    return store;
  }

  public DockerClient docker() {
    return servers.docker();
  }

  /** Containers of this stack (labels {@code trynow.managed=true} and our cluster), any state. */
  public List<Container> containers() {
    return docker()
        .listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of(Labels.MANAGED, "true", Labels.CLUSTER, prefix))
        .exec();
  }

  /** Instance ids whose route is in Caddy's config now. */
  public TreeSet<String> routedInstanceIds() {
    TreeSet<String> ids = new TreeSet<>();
    JsonNode routes = caddyConfig("/config/apps/http/servers/trynow/routes");
    if (routes != null && routes.isArray()) {
      for (JsonNode r : routes) {
        String id = r.path("@id").asText("");
        if (id.startsWith("trynow-i")) {
          ids.add(id.substring("trynow-".length()));
        }
      }
    }
    return ids;
  }

  /** Every {@code @id} of the demo server's routes, in order (duplicates included). */
  public List<String> routeIds() {
    List<String> ids = new ArrayList<>();
    JsonNode routes = caddyConfig("/config/apps/http/servers/trynow/routes");
    if (routes != null && routes.isArray()) {
      routes.forEach(r -> ids.add(r.path("@id").asText("")));
    }
    return ids;
  }

  /** A path of Caddy's config, or null when missing. */
  public JsonNode caddyConfig(String path) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(servers.caddy().adminUrl() + path))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return null;
      }
      JsonNode n = Json.MAPPER.readTree(r.body());
      return n == null || n.isNull() ? null : n;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** GET {@code /} of a demo through Caddy, with {@code Host: <id>.demo.localhost}. */
  public Http.Answer viaCaddy(String instanceId, String path) {
    return Http.get(
        "http://127.0.0.1:" + servers.caddy().httpPort() + path,
        Map.of("Host", instanceId + "." + DEMO_DOMAIN));
  }

  // ---- teardown ---------------------------------------------------------------------------------

  @Override
  public void close() {
    try {
      for (ServiceProcess p : processes.values()) {
        try {
          p.stop();
        } catch (RuntimeException e) {
          LOG.warnf("stopping %s: %s", p.service().module(), e);
        }
      }
      if (dockerProxy != null) {
        dockerProxy.restore();
      }
      removeContainers(Duration.ofSeconds(30));
    } finally {
      if (dockerProxy != null) {
        dockerProxy.close();
      }
      if (store != null) {
        store.close();
      }
      servers.close();
    }
  }

  /** Removes this stack's containers, giving up (with a warning) if the engine hangs. */
  private void removeContainers(Duration limit) {
    CompletableFuture<Void> removal =
        CompletableFuture.runAsync(() -> {
          for (Container c : containers()) {
            docker().removeContainerCmd(c.getId()).withForce(true).exec();
          }
        });
    try {
      removal.get(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      LOG.warnf(
          "the Docker engine did not remove the containers of cluster %s within %s; some may"
              + " remain (label trynow.cluster=%s)",
          prefix, limit, prefix);
    } catch (java.util.concurrent.ExecutionException e) {
      LOG.warnf("removing the containers of cluster %s: %s", prefix, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
