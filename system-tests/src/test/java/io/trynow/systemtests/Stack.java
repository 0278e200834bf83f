package io.trynow.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.trynow.model.InstanceState;
import io.trynow.model.Json;
import io.trynow.model.Labels;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.Store;
import io.trynow.testsupport.DockerDaemon;
import io.trynow.testsupport.DockerSocketProxy;
import io.trynow.testsupport.FreePorts;
import io.trynow.testsupport.NatsCluster;
import io.trynow.testsupport.RealServers;
import io.trynow.testsupport.SampleImage;
import io.trynow.testsupport.ValkeySentinels;
import io.trynow.testsupport.ValkeyServer;
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
import java.util.Comparator;
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
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(300);
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
  private final Map<Service, List<ServiceProcess>> processes = new EnumMap<>(Service.class);
  private final NatsCluster natsCluster;
  private final ValkeySentinels sentinels;
  private final List<DockerDaemon> dockerHosts = new ArrayList<>();
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
    List<RealServers.Kind> kinds = new ArrayList<>();
    if (b.natsNodes == 1) {
      kinds.add(RealServers.Kind.NATS);
    }
    if (!b.valkeySentinel) {
      kinds.add(RealServers.Kind.VALKEY);
    }
    kinds.add(RealServers.Kind.DOCKER);
    this.servers =
        RealServers.start(RealServers.Kind.CADDY, kinds.toArray(RealServers.Kind[]::new));
    this.natsCluster = b.natsNodes > 1 ? NatsCluster.start(b.natsNodes) : null;
    // primary + two replicas (one is left to WAIT for after a failover) + one sentinel
    this.sentinels =
        b.valkeySentinel ? ValkeySentinels.start(1, 2, new ValkeyServer.Options()) : null;
    if (sentinels != null) {
      commonProperties.put("quarkus.redis.client-type", "sentinel");
      commonProperties.put("quarkus.redis.master-name", sentinels.masterName());
      // a change counts once a replica has it: a failover cannot lose what a visitor was told
      commonProperties.put("trynow.valkey.wait-replicas", "1");
    }
    if (natsCluster != null) {
      commonProperties.put("trynow.messaging.replicas", String.valueOf(Math.min(3, b.natsNodes)));
    }
    for (int h = 1; h <= b.dockerHosts; h++) {
      // the daemon's name doubles as its containerd namespace: unique per stack
      DockerDaemon d = new DockerDaemon("h" + h + "-" + prefix.substring(2, 8));
      dockerHosts.add(d);
      d.start();
      d.load(SampleImage.IMAGE);
      String key = "trynow.hosts." + hostName(h - 1) + ".";
      commonProperties.put(key + "engine", d.host());
      commonProperties.put(key + "address", hostAddress(h - 1));
      commonProperties.put(key + "capacity", String.valueOf(b.hostCapacity));
    }
    this.dockerProxy = b.dockerProxy ? DockerSocketProxy.start() : null;
    Path logs = Path.of("target", "stack", name + "-" + prefix).toAbsolutePath();
    try {
      Files.createDirectories(logs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path repo = SampleImage.RepoRoot.find();
    for (Service s : Service.values()) {
      List<ServiceProcess> replicas = new ArrayList<>();
      for (int r = 0; r < b.replicas; r++) {
        replicas.add(new ServiceProcess(s, r, repo, FreePorts.one(), logs));
      }
      processes.put(s, replicas);
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
    private int replicas = 1;
    private int natsNodes = 1;
    private boolean valkeySentinel;
    private int dockerHosts;
    private int hostCapacity = 20;

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

    /** Runs {@code n} replicas of every service. */
    public Builder replicas(int n) {
      this.replicas = n;
      return this;
    }

    /** NATS as a cluster of {@code n} nodes (streams at R3), clients given every seed URL. */
    public Builder natsCluster(int n) {
      this.natsNodes = n;
      return this;
    }

    /**
     * Valkey as a primary with two replicas and a Sentinel; the services find the primary through
     * the Sentinel and wait for one replica on every change ({@code
     * trynow.valkey.wait-replicas=1}).
     */
    public Builder valkeySentinel() {
      this.valkeySentinel = true;
      return this;
    }

    /**
     * Instances on {@code n} private Docker engines ({@link DockerDaemon}) as the host registry's
     * hosts {@code h1..hn}, reached at 127.0.0.2, 127.0.0.3, ... — never on the machine's engine.
     */
    public Builder dockerHosts(int n, int capacityEach) {
      this.dockerHosts = n;
      this.hostCapacity = capacityEach;
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
      processes.get(s).forEach(p -> p.start(env(s), properties(s)));
    }
    awaitAllReady(processes.values().stream().flatMap(List::stream).toList());
  }

  private static void awaitAllReady(List<ServiceProcess> all) {
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    for (ServiceProcess p : all) {
      waits.add(CompletableFuture.runAsync(() -> p.awaitReady(READY_TIMEOUT)));
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
    env.put("TRYNOW_NATS_URL", natsUrl());
    env.put(
        "TRYNOW_VALKEY_URL",
        sentinels != null ? String.join(",", sentinels.sentinelUrls()) : servers.valkey().url());
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
    // Caddy's catch-all asks the (first) gateway for the page of a host without a route
    env.put(
        "TRYNOW_CADDY_PAGES_UPSTREAM",
        "127.0.0.1:" + processes.get(Service.API_GATEWAY).getFirst().httpPort());
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
    start(s, 0);
  }

  /** Starts replica {@code r} (0-based) of a service and waits until it is ready. */
  public void start(Service s, int r) {
    process(s, r).start(env(s), properties(s));
    process(s, r).awaitReady(READY_TIMEOUT);
  }

  /**
   * Starts replica {@code r} of every service (those that run are left alone), all at once, and
   * waits until each is ready.
   */
  public void startAll(int r) {
    for (Service s : Service.values()) {
      process(s, r).start(env(s), properties(s));
    }
    awaitAllReady(java.util.stream.Stream.of(Service.values()).map(s -> process(s, r)).toList());
  }

  /** Starts a service without waiting for readiness. */
  public void startNoWait(Service s) {
    process(s, 0).start(env(s), properties(s));
  }

  /** SIGTERM and wait for the exit (graceful shutdown). */
  public void stop(Service s) {
    process(s, 0).stop();
  }

  /** SIGTERM replica {@code r} (0-based) and wait for the exit. */
  public void stop(Service s, int r) {
    process(s, r).stop();
  }

  /** The NATS URL(s) services are given: every seed of the cluster, or the one server. */
  public String natsUrl() {
    return natsCluster != null ? natsCluster.urls() : servers.nats().url();
  }

  /** kill -9. */
  public void kill(Service s) {
    kill(s, 0);
  }

  /** kill -9 of replica {@code r} (0-based). */
  public void kill(Service s, int r) {
    LOG.infof("stack %s: kill -9 %s #%d (pid %d)", name, s.module(), r, process(s, r).pid());
    process(s, r).kill();
  }

  /** The OS process id of replica {@code r} of a service (for SIGSTOP / SIGCONT). */
  public long pid(Service s, int r) {
    return process(s, r).pid();
  }

  /** How many replicas of each service run. */
  public int replicas() {
    return processes.get(Service.API_GATEWAY).size();
  }

  private ServiceProcess process(Service s, int r) {
    return processes.get(s).get(r);
  }

  public void restart(Service s) {
    stop(s);
    start(s);
  }

  public boolean isRunning(Service s) {
    return process(s, 0).isRunning();
  }

  public boolean isReady(Service s) {
    return process(s, 0).ready();
  }

  public boolean isReady(Service s, int r) {
    return process(s, r).ready();
  }

  /** {@code http://127.0.0.1:<port>} of a service. */
  public String url(Service s) {
    return url(s, 0);
  }

  /** {@code http://127.0.0.1:<port>} of replica {@code r} of a service. */
  public String url(Service s, int r) {
    return "http://127.0.0.1:" + process(s, r).httpPort();
  }

  /**
   * {@code http://127.0.0.1:<port>} where a service answers {@code /q/*}: api-gateway's management
   * interface (also the admin API and the dashboard), the HTTP port of the others.
   */
  public String managementUrl(Service s) {
    return managementUrl(s, 0);
  }

  /** {@link #managementUrl(Service)} of replica {@code r} (0-based). */
  public String managementUrl(Service s, int r) {
    return "http://127.0.0.1:" + process(s, r).managementPort();
  }

  public Path log(Service s) {
    return process(s, 0).log();
  }

  /** The last lines of a service's log, for assertion messages. */
  public String logTail(Service s, int lines) {
    return process(s, 0).tail(lines);
  }

  // ---- NATS cluster and Docker hosts ------------------------------------------------------------

  /** The NATS cluster ({@link Builder#natsCluster}), else null. */
  public NatsCluster natsCluster() {
    return natsCluster;
  }

  /** The private Docker engines that are the registry's hosts ({@link Builder#dockerHosts}). */
  public List<DockerDaemon> dockerHosts() {
    return List.copyOf(dockerHosts);
  }

  /** Registry name of the {@code i}-th (0-based) Docker host: {@code h1}, {@code h2}, ... */
  public static String hostName(int i) {
    return "h" + (i + 1);
  }

  /** The loopback address the {@code i}-th (0-based) Docker host's instances are reached on. */
  public static String hostAddress(int i) {
    return "127.0.0." + (i + 2);
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

  /** The ready instances of {@code template}, oldest ready first (the next to be handed out). */
  public List<Instance> readyInstances(String template) {
    return store().instances(InstanceState.READY).stream()
        .filter(i -> template.equals(i.template()))
        .sorted(Comparator.comparing(Instance::readyAt))
        .toList();
  }

  /**
   * The state store of this stack (the test's own connection; with a Sentinel, to the primary it
   * names now — call {@link #valkeyFailedOver()} after a failover).
   */
  public synchronized Store store() {
    if (store == null) {
      store =
          Store.connect(
              sentinels != null ? sentinels.primary().url() : servers.valkey().url(), prefix);
    }
    return store;
  }

  /** The Valkey Sentinel topology ({@link Builder#valkeySentinel()}), else null. */
  public ValkeySentinels valkeySentinels() {
    return sentinels;
  }

  /** After a failover: the test's store connects to the new primary at its next use. */
  public synchronized void valkeyFailedOver() {
    if (store != null) {
      store.close();
      store = null;
    }
  }

  public DockerClient docker() {
    return servers.docker();
  }

  /**
   * Containers of this stack (labels {@code trynow.managed=true} and our cluster), any state: on
   * the machine's engine, or on every Docker host that runs when the stack has hosts.
   */
  public List<Container> containers() {
    if (dockerHosts.isEmpty()) {
      return containers(docker());
    }
    List<Container> all = new ArrayList<>();
    for (DockerDaemon d : dockerHosts) {
      if (d.isRunning()) {
        all.addAll(containers(d.client()));
      }
    }
    return all;
  }

  /** This stack's containers on one engine. */
  public List<Container> containers(DockerClient engine) {
    return engine
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
      for (List<ServiceProcess> replicas : processes.values()) {
        for (ServiceProcess p : replicas) {
          try {
            p.stop();
          } catch (RuntimeException e) {
            LOG.warnf("stopping %s: %s", p.service().module(), e);
          }
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
      for (DockerDaemon d : dockerHosts) {
        try {
          d.close(); // stops it (its containers with it) and deletes its data
        } catch (RuntimeException e) {
          LOG.warnf("closing docker host %s: %s", d.name(), e);
        }
      }
      if (natsCluster != null) {
        natsCluster.close();
      }
      if (sentinels != null) {
        sentinels.close();
      }
      servers.close();
    }
  }

  /** Removes this stack's containers, giving up (with a warning) if the engine hangs. */
  private void removeContainers(Duration limit) {
    if (!dockerHosts.isEmpty()) {
      return; // the hosts' daemons are closed below, their containers and data with them
    }
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
