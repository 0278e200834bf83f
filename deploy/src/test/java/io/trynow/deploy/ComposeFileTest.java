package io.trynow.deploy;

import static io.trynow.deploy.Tree.at;
import static io.trynow.deploy.Tree.list;
import static io.trynow.deploy.Tree.map;
import static io.trynow.deploy.Tree.string;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml, checked at the YAML level: it parses (anchors, merge keys, interpolation),
 * every reference resolves, images are pinned, and each component gets only what it needs.
 */
class ComposeFileTest {

  static final Map<String, Integer> SERVICES = new LinkedHashMap<>();

  static {
    SERVICES.put("api-gateway", 8080);
    SERVICES.put("pool-service", 8081);
    SERVICES.put("provisioner-worker", 8082);
    SERVICES.put("proxy-sync", 8083);
    SERVICES.put("cleanup-worker", 8084);
  }

  static final List<String> INFRA = List.of("nats", "valkey", "caddy");

  /** The Compose specification's top-level and service keys (a typo must not pass silently). */
  static final Set<String> TOP_LEVEL_KEYS =
      Set.of("name", "services", "networks", "volumes", "secrets", "configs", "include");

  static final Set<String> SERVICE_KEYS =
      Set.of(
          "image",
          "build",
          "command",
          "entrypoint",
          "environment",
          "env_file",
          "ports",
          "expose",
          "volumes",
          "tmpfs",
          "networks",
          "depends_on",
          "healthcheck",
          "restart",
          "read_only",
          "user",
          "group_add",
          "cap_add",
          "cap_drop",
          "security_opt",
          "stop_grace_period",
          "logging",
          "extra_hosts",
          "deploy",
          "labels",
          "working_dir",
          "ulimits",
          "init",
          "mem_limit",
          "cpus",
          "pids_limit");

  static final Pattern PINNED_SEMVER_TAG =
      Pattern.compile("^[a-z0-9./-]+:\\d+\\.\\d+\\.\\d+[A-Za-z0-9_.-]*$");

  private static final Map<String, String> ENV = Map.of("DOCKER_GID", "998");

  private final Map<String, Object> compose = load(ENV);

  static Map<String, Object> load(Map<String, String> env) {
    try {
      return ComposeFile.load(Repo.composeFile(), env);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  Map<String, Object> service(String name) {
    Map<String, Object> s = map(compose, "services", name);
    assertThat(s).as("service %s", name).isNotEmpty();
    return s;
  }

  @Test
  void parsesAndEveryReferenceResolves() {
    for (String key : compose.keySet()) {
      assertThat(TOP_LEVEL_KEYS.contains(key) || key.startsWith("x-")).as(key).isTrue();
    }
    Map<String, Object> services = map(compose, "services");
    assertThat(services.keySet())
        .containsExactlyInAnyOrderElementsOf(concat(INFRA, SERVICES.keySet()));
    Set<String> networks = map(compose, "networks").keySet();
    Set<String> volumes = map(compose, "volumes").keySet();
    for (String name : services.keySet()) {
      Map<String, Object> s = service(name);
      assertThat(SERVICE_KEYS).as("keys of %s", name).containsAll(s.keySet());
      assertThat(networks).as("networks of %s", name).containsAll(networksOf(s));
      for (String target : map(s, "depends_on").keySet()) {
        assertThat(services).as("%s depends on %s", name, target).containsKey(target);
      }
      for (Object v : list(s, "volumes")) {
        if (v instanceof String short_) {
          String source = short_.split(":")[0];
          assertThat(volumes).as("named volume of %s", name).contains(source);
        } else {
          String type = string(v, "type");
          String source = string(v, "source");
          if (type.equals("bind") && !source.equals("/var/run/docker.sock")) {
            assertThat(Repo.root().resolve(source)).as("bind source of %s", name).isRegularFile();
          }
          if (type.equals("volume")) {
            assertThat(volumes).contains(source);
          }
        }
      }
    }
    // Each service image is built from the shared Dockerfile with its own name and port.
    SERVICES.forEach((name, port) -> {
      Map<String, Object> build = map(service(name), "build");
      Path context = Repo.root().resolve(string(build, "context")).normalize();
      assertThat(context).isEqualTo(Repo.root().resolve(name + "/target/quarkus-app"));
      assertThat(context.resolve(string(build, "dockerfile")).normalize())
          .isEqualTo(Repo.dockerfile());
      assertThat(map(build, "args"))
          .containsEntry("SERVICE", name)
          .containsEntry("PORT", port.toString());
      // the service's own JVM options, as ./trynow up runs it: Compose's copy of
      // deploy/jvm-options.properties (the workers and pool-service stop the JIT at C1)
      String own = Repo.jvmOptions(name);
      if (own.isEmpty()) {
        assertThat(map(build, "args")).doesNotContainKey("JVM_OPTS");
      } else {
        assertThat(map(build, "args")).containsEntry("JVM_OPTS", own);
      }
      assertThat(own.contains("-XX:TieredStopAtLevel=1"))
          .as(name)
          .isEqualTo(C1_ONLY.contains(name));
    });
  }

  /** The services whose JIT stops at C1: all but api-gateway, whose acquire hot path needs C2. */
  static final Set<String> C1_ONLY =
      Set.of("pool-service", "provisioner-worker", "proxy-sync", "cleanup-worker");

  /**
   * The socket's group comes from .env; without it every command but {@code up} still works (the
   * issue: {@code ${DOCKER_GID:?}} broke even {@code down}), and {@code up} fails naming it.
   */
  @Test
  void theDockerSocketGroupComesFromEnvAndOnlyUpNeedsIt() {
    Map<String, Object> withoutGid = load(Map.of());
    for (String worker : List.of("provisioner-worker", "cleanup-worker")) {
      assertThat(list(service(worker), "group_add")).containsExactly("998");
      assertThat(list(withoutGid, "services", worker, "group_add"))
          .containsExactly("set-DOCKER_GID-in-.env");
    }
  }

  /** Seeds 001 and 002: ":latest" images. */
  @Test
  void everyImageIsPinned() {
    for (String name : map(compose, "services").keySet()) {
      String image = string(service(name), "image");
      assertThat(image).as(name).isNotBlank().doesNotContain("latest").contains(":");
    }
    for (String name : INFRA) {
      assertThat(string(service(name), "image")).matches(PINNED_SEMVER_TAG);
    }
    SERVICES
        .keySet()
        .forEach(name ->
            assertThat(string(service(name), "image")).isEqualTo("trynow/" + name + ":0.1.0"));
    assertThat(
            string(
                load(Map.of("DOCKER_GID", "1", "TRYNOW_VERSION", "0.2.0")),
                "services",
                "pool-service",
                "image"))
        .isEqualTo("trynow/pool-service:0.2.0");
  }

  /** Least privilege: the Docker socket is mounted only where it is needed. */
  @Test
  void onlyProvisionerAndCleanupWorkersGetTheDockerSocket() {
    for (String name : map(compose, "services").keySet()) {
      boolean docker = name.equals("provisioner-worker") || name.equals("cleanup-worker");
      boolean socket = list(service(name), "volumes").toString().contains("docker.sock");
      assertThat(socket).as(name).isEqualTo(docker);
      assertThat(map(service(name), "environment").containsKey("DOCKER_HOST"))
          .as(name)
          .isEqualTo(docker);
      assertThat(service(name).containsKey("group_add")).as(name).isEqualTo(docker);
    }
    assertThat(string(service("cleanup-worker"), "environment", "DOCKER_HOST"))
        .isEqualTo("unix:///var/run/docker.sock");
  }

  @Test
  void onlyProxySyncSharesANetworkWithCaddy() {
    Set<String> caddyNetworks = networksOf(service("caddy"));
    for (String name : map(compose, "services").keySet()) {
      if (name.equals("caddy")) {
        continue;
      }
      Set<String> shared = new HashSet<>(networksOf(service(name)));
      shared.retainAll(caddyNetworks);
      if (name.equals("proxy-sync")) {
        assertThat(shared).containsExactly("caddy-admin");
      } else {
        assertThat(shared).as(name).isEmpty();
      }
    }
    assertThat(at(compose, "networks", "caddy-admin", "internal")).isEqualTo(true);
    assertThat(at(compose, "networks", "backend", "internal")).isEqualTo(true);
    // The admin port is not published, and only proxy-sync is told where it is.
    assertThat(list(service("caddy"), "ports")).noneMatch(p -> p.toString().contains("2019"));
    SERVICES
        .keySet()
        .forEach(name ->
            assertThat(map(service(name), "environment").containsKey("TRYNOW_CADDY_ADMIN_URL"))
                .as(name)
                .isEqualTo(name.equals("proxy-sync")));
    assertThat(string(service("proxy-sync"), "environment", "TRYNOW_CADDY_ADMIN_URL"))
        .isEqualTo("http://caddy:2019");
    Map<String, Object> caddyConfig = readJson(Repo.root().resolve("deploy/compose/caddy.json"));
    // The admin address is a setting (the caddy-admin network only; loopback in ComposeStackIT).
    assertThat(string(caddyConfig, "admin", "listen")).isEqualTo("{env.TRYNOW_CADDY_ADMIN_LISTEN}");
    assertThat(string(service("caddy"), "environment", "TRYNOW_CADDY_ADMIN_LISTEN"))
        .isEqualTo("0.0.0.0:2019");
    assertThat(string(service("caddy"), "command")).contains("/etc/caddy/trynow.json");
  }

  /** Jepsen: with lazy fsync NATS loses acknowledged writes on a crash. */
  @Test
  void natsRunsJetStreamWithFsyncAlways() throws IOException {
    Map<String, Object> nats = service("nats");
    List<Object> command = list(nats, "command");
    String config = (String) command.get(command.indexOf("--config") + 1);
    Map<String, Object> mount =
        bindMounts(nats).stream()
            .filter(v -> config.equals(v.get("target")))
            .findFirst()
            .orElseThrow();
    String conf = Files.readString(Repo.root().resolve(string(mount, "source")));
    String jetstream =
        conf.substring(conf.indexOf("jetstream {"), conf.indexOf("}", conf.indexOf("jetstream {")));
    assertThat(jetstream).containsPattern("(?m)^\\s*sync_interval:\\s*always\\s*$");
    assertThat(jetstream).containsPattern("(?m)^\\s*store_dir:\\s*/data/");
    assertThat(list(nats, "volumes")).contains("nats-data:/data");
  }

  @Test
  void valkeyKeepsAnAppendOnlyFileSyncedEverySecond() {
    List<Object> command = list(service("valkey"), "command");
    assertThat(String.join(" ", command.stream().map(String::valueOf).toList()))
        .contains("--appendonly yes", "--appendfsync everysec");
    assertThat(list(service("valkey"), "volumes")).contains("valkey-data:/data");
  }

  @Test
  void everyContainerHasAHealthcheckAndARestartPolicy() {
    for (String name : map(compose, "services").keySet()) {
      Map<String, Object> s = service(name);
      assertThat(list(s, "healthcheck", "test")).as(name).isNotEmpty();
      assertThat(string(s, "restart")).as(name).isIn("unless-stopped", "always");
    }
    SERVICES
        .keySet()
        .forEach(name ->
            assertThat(map(service(name), "depends_on"))
                .containsKeys("nats", "valkey")
                .allSatisfy(
                    (k, v) -> assertThat(string(v, "condition")).isEqualTo("service_healthy")));
    assertThat(map(service("proxy-sync"), "depends_on")).containsKey("caddy");
  }

  @Test
  void theServicesHealthcheckIsTheImagesHealthcheck() throws IOException {
    String health = Dockerfile.parse(Repo.dockerfile()).last("HEALTHCHECK").orElseThrow().args();
    List<Object> imageCommand = new Yaml().load(health.substring(health.indexOf("CMD ") + 4));
    List<Object> expected = new ArrayList<>(List.of("CMD"));
    expected.addAll(imageCommand);
    SERVICES
        .keySet()
        .forEach(
            name -> assertThat(list(service(name), "healthcheck", "test")).isEqualTo(expected));
  }

  @Test
  void servicesRunNonRootReadOnlyWithoutCapabilities() {
    SERVICES
        .keySet()
        .forEach(name -> {
          Map<String, Object> s = service(name);
          assertThat(s.get("read_only")).as(name).isEqualTo(true);
          assertThat(list(s, "cap_drop")).as(name).containsExactly("ALL");
          assertThat(s.containsKey("cap_add")).as(name).isFalse();
          assertThat(list(s, "security_opt")).as(name).contains("no-new-privileges:true");
          assertThat(list(s, "tmpfs")).as(name).contains("/tmp");
          // The image's USER (10001) applies: nothing overrides it.
          assertThat(s.containsKey("user")).as(name).isFalse();
        });
    assertThat(list(service("caddy"), "cap_drop")).containsExactly("ALL");
    assertThat(list(service("caddy"), "cap_add")).containsExactly("NET_BIND_SERVICE");
    for (String name : INFRA) {
      assertThat(list(service(name), "security_opt")).as(name).contains("no-new-privileges:true");
    }
  }

  @Test
  void servicesAreConfiguredThroughEnvironmentVariables() {
    SERVICES.forEach((name, port) -> {
      Map<String, Object> env = map(service(name), "environment");
      assertThat(env)
          .containsEntry("TRYNOW_NATS_URL", "nats://nats:4222")
          .containsEntry("TRYNOW_VALKEY_URL", "redis://valkey:6379")
          .containsEntry("TRYNOW_HTTP_HOST", "0.0.0.0")
          .containsEntry("TRYNOW_HTTP_PORT", port.toString())
          .containsEntry("TRYNOW_LOG_JSON", "true")
          .containsEntry("TRYNOW_ENDPOINTS_DEMO_DOMAIN", "demo.localhost")
          .containsEntry("TRYNOW_VALKEY_PREFIX", "trynow")
          // Endpoints: Caddy listens on every address of its container; instances are reached
          // on
          // the Docker host, published on its bridge address; visitors see the published port.
          .containsEntry("TRYNOW_ENDPOINTS_PUBLIC_SCHEME", "http")
          .containsEntry("TRYNOW_ENDPOINTS_PUBLIC_PORT", "8088")
          .containsEntry("TRYNOW_ENDPOINTS_CADDY_LISTEN_HOST", "0.0.0.0")
          .containsEntry("TRYNOW_ENDPOINTS_CADDY_HTTP_PORT", "8088")
          .containsEntry("TRYNOW_ENDPOINTS_INSTANCE_HOST", "host.docker.internal")
          .containsEntry("TRYNOW_ENDPOINTS_PUBLISH_HOST", "172.17.0.1")
          .containsEntry("QUARKUS_CONFIG_LOCATIONS", "file:/etc/trynow/templates.properties");
      assertThat(bindMounts(service(name)))
          .anyMatch(v -> "/etc/trynow/templates.properties".equals(v.get("target")));
      boolean gateway = name.equals("api-gateway");
      assertThat(env.containsKey("TRYNOW_GATEWAY_TICKET_SECRET")).as(name).isEqualTo(gateway);
      assertThat(env.containsKey("TRYNOW_GATEWAY_API_KEYS")).as(name).isEqualTo(gateway);
      assertThat(env.containsKey("TRYNOW_GATEWAY_ADMIN_KEY_HASH")).as(name).isEqualTo(gateway);
      // the one per-IP live cap: the gateway's (pool-service gets it in each acquire message)
      assertThat(env.get("TRYNOW_GATEWAY_MAX_LIVE_PER_IP"))
          .as(name)
          .isEqualTo(gateway ? "3" : null);
    });
    Map<String, Object> withKeys =
        load(Map.of("DOCKER_GID", "1", "TRYNOW_GATEWAY_ADMIN_KEY_HASH", "abc"));
    assertThat(
            string(
                withKeys,
                "services",
                "api-gateway",
                "environment",
                "TRYNOW_GATEWAY_ADMIN_KEY_HASH"))
        .isEqualTo("abc");
  }

  @Test
  void onlyTheGatewayAndCaddyPublishPortsAndOnLoopbackByDefault() {
    for (String name : map(compose, "services").keySet()) {
      List<Object> ports = list(service(name), "ports");
      if (name.equals("api-gateway")) {
        // the public API, the management port (admin API, dashboard) on loopback only, and the
        // public API again on the bridge address, for Caddy's demo-host pages
        assertThat(ports)
            .containsExactly("127.0.0.1:8080:8080", "127.0.0.1:9000:9000", "172.17.0.1:8089:8080");
      } else if (name.equals("caddy")) {
        assertThat(ports).containsExactly("127.0.0.1:8088:8088");
      } else {
        assertThat(ports).as(name).isEmpty();
      }
    }
    Map<String, Object> exposed = load(Map.of("DOCKER_GID", "1", "TRYNOW_BIND", "0.0.0.0"));
    assertThat(list(exposed, "services", "api-gateway", "ports"))
        .containsExactly("0.0.0.0:8080:8080", "127.0.0.1:9000:9000", "172.17.0.1:8089:8080");
  }

  /**
   * Caddy's catch-all fetches the page of a demo host without a route from the gateway: proxy-sync
   * names the address Caddy dials, which is where the gateway's port is published for it (Caddy
   * shares no network with the gateway, and knows host.docker.internal).
   */
  @Test
  void caddyReachesTheGatewaysPagesWhereTheyArePublished() {
    for (Map<String, String> env :
        List.of(
            Map.of("DOCKER_GID", "1"),
            Map.of(
                "DOCKER_GID",
                "1",
                "TRYNOW_PAGES_PORT",
                "9089",
                "TRYNOW_PUBLISH_HOST",
                "10.1.0.1"))) {
      Map<String, Object> c = load(env);
      String upstream =
          String.valueOf(
              at(c, "services", "proxy-sync", "environment", "TRYNOW_CADDY_PAGES_UPSTREAM"));
      String port = env.getOrDefault("TRYNOW_PAGES_PORT", "8089");
      assertThat(upstream).isEqualTo("host.docker.internal:" + port);
      assertThat(list(c, "services", "api-gateway", "ports"))
          .contains(env.getOrDefault("TRYNOW_PUBLISH_HOST", "172.17.0.1") + ":" + port + ":8080");
    }
    assertThat(list(service("caddy"), "extra_hosts"))
        .containsExactly("host.docker.internal:host-gateway");
  }

  /** Caddy and the provisioner reach instances on the Docker host: the one place it is named. */
  @Test
  void onlyTheComponentsThatReachInstancesKnowTheHostGateway() {
    for (String name : map(compose, "services").keySet()) {
      boolean reaches = name.equals("caddy") || name.equals("provisioner-worker");
      assertThat(list(service(name), "extra_hosts"))
          .as(name)
          .isEqualTo(reaches ? List.of("host.docker.internal:host-gateway") : List.of());
    }
  }

  @Test
  void theServicesBaseImageIsTheDockerfilesPinnedBaseUnlessOverridden() throws IOException {
    String pinned = Dockerfile.parse(Repo.dockerfile()).argDefault("BASE_IMAGE").orElseThrow();
    Map<String, Object> local = load(Map.of("TRYNOW_BASE_IMAGE", "trynow/local-jre:25"));
    SERVICES
        .keySet()
        .forEach(name -> {
          assertThat(string(service(name), "build", "args", "BASE_IMAGE")).isEqualTo(pinned);
          assertThat(string(local, "services", name, "build", "args", "BASE_IMAGE"))
              .isEqualTo("trynow/local-jre:25");
        });
  }

  /**
   * The templates file is a working example: its template's image is the one the documented steps
   * build (samples/hello/build.sh), it runs in bridge mode listening on every address of its
   * container, and the README's curl asks for a template it defines.
   */
  @Test
  void theExampleTemplateIsBuiltByTheDocumentedStepsAndTheReadmeAsksForIt() throws IOException {
    Properties templates = new Properties();
    try (var in =
        Files.newBufferedReader(Repo.root().resolve("deploy/compose/templates.properties"))) {
      templates.load(in);
    }
    Set<String> names = new HashSet<>();
    templates
        .stringPropertyNames()
        .forEach(k -> {
          assertThat(k).startsWith("trynow.templates.");
          names.add(k.split("\\.")[2]);
        });
    assertThat(names).containsExactly("hello");
    String buildScript = Files.readString(Repo.root().resolve("samples/hello/build.sh"));
    assertThat(buildScript)
        .contains("image=\"${1:-" + templates.getProperty("trynow.templates.hello.image") + "}\"");
    assertThat(templates)
        .containsEntry("trynow.templates.hello.network-mode", "bridge")
        .containsEntry("trynow.templates.hello.container-port", "8080");
    // BIND and PORT are the provisioner's to tell (pool-service refuses a template that sets them)
    assertThat(templates.stringPropertyNames()).noneMatch(k -> k.contains(".env."));

    String readme = Files.readString(Repo.root().resolve("deploy/README.md"));
    var curl = Pattern.compile("\\{\"template\":\"([a-z0-9-]+)\"}").matcher(readme);
    int asked = 0;
    while (curl.find()) {
      assertThat(names).as("template asked for in deploy/README.md").contains(curl.group(1));
      asked++;
    }
    assertThat(asked).isPositive();
  }

  /** .env.example documents every variable docker-compose.yml reads, and only those. */
  @Test
  void envExampleCoversTheComposeFilesVariables() throws IOException {
    String file = Files.readString(Repo.composeFile());
    Set<String> used = new TreeSet<>();
    var m = Pattern.compile("(?<!\\$)\\$\\{([A-Z_][A-Z0-9_]*)").matcher(file);
    while (m.find()) {
      used.add(m.group(1));
    }
    String example = Files.readString(Repo.root().resolve(".env.example"));
    Set<String> documented = new TreeSet<>();
    var v = Pattern.compile("(?m)^#?\\s*([A-Z_][A-Z0-9_]*)[=:]").matcher(example);
    while (v.find()) {
      documented.add(v.group(1));
    }
    assertThat(documented).containsAll(used);
    documented.remove("COMPOSE_PROJECT_NAME");
    assertThat(used).containsAll(documented);
  }

  @Test
  void interpolationFollowsComposeRules() {
    Map<String, String> env = new HashMap<>();
    env.put("SET", "x");
    env.put("EMPTY", "");
    assertThat(ComposeFile.interpolate("${SET:-d} ${EMPTY:-d} ${EMPTY-d} ${UNSET-d} $${SET}", env))
        .isEqualTo("x d  d ${SET}");
    assertThatThrownBy(() -> ComposeFile.interpolate("${EMPTY:?needed}", env))
        .hasMessageContaining("EMPTY");
  }

  // ------------------------------------------------------------------ helpers

  static Set<String> networksOf(Map<String, Object> service) {
    Object networks = service.get("networks");
    if (networks instanceof List<?> l) {
      Set<String> out = new HashSet<>();
      l.forEach(n -> out.add(String.valueOf(n)));
      return out;
    }
    return networks instanceof Map<?, ?> m
        ? new HashSet<>(map(service, "networks").keySet())
        : Set.of("default");
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> bindMounts(Map<String, Object> service) {
    return list(service, "volumes").stream()
        .filter(v -> v instanceof Map<?, ?> m && "bind".equals(m.get("type")))
        .map(v -> (Map<String, Object>) v)
        .toList();
  }

  static Map<String, Object> readJson(Path file) {
    try {
      return new Yaml().load(Files.readString(file));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<String> concat(List<String> a, Set<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
