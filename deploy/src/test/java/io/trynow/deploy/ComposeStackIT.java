package io.trynow.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import io.trynow.model.Labels;
import io.trynow.testsupport.DockerEngine;
import io.trynow.testsupport.FreePorts;
import io.trynow.testsupport.SampleImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml run for real on this machine with Debian's {@code docker-compose}: the
 * documented {@code up -d --build} builds the five service images from Dockerfile.jvm, every
 * container turns healthy, {@code POST /v1/demos} hands out the example template's demo, its page
 * answers through the Caddy container, release removes the instance's container and route and its
 * host answers the gateway's 410 "ended" page through Caddy (TRYNOW_CADDY_PAGES_UPSTREAM), and
 * {@code down} plus the documented sweep leave no container of the project or the cluster.
 *
 * <p>What differs from a production host, and why: no registry is reachable here, so the pinned
 * NATS, Valkey and Caddy images are stand-ins made from the Debian binaries
 * (deploy/docker/local-server-images.sh) and the services' JRE base is made from the local JDK
 * (local-jre-base.sh); no container-bridge address may be contacted here, so every container runs
 * with host networking on loopback and free ports (host-network.override.yml), the example template
 * runs in host mode, and Caddy's demo server and the instances listen on 127.0.0.3 and 127.0.0.2 —
 * addresses only their settings can lead to. The project name and Valkey prefix (= the instances'
 * {@code trynow.cluster} label) are unique per run, so parallel runs never touch each other.
 */
class ComposeStackIT {

  private static final String SERVICES_REGISTRY = "trynow-compose-it";
  // One tag per worktree: a rerun reuses the layers of the last build (aot-jar lib/ first); the
  // image a rebuild replaces is removed, so reruns do not pile up images.
  private static final String SERVICES_VERSION =
      "wt-" + Integer.toHexString(Repo.root().toString().hashCode());
  private static final String INSTANCE_HOST = "127.0.0.2";
  private static final String CADDY_LISTEN_HOST = "127.0.0.3";
  private static final String DEMO_DOMAIN = "demo.localhost";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * HTTP/1.1: the JDK's default h2c upgrade, proxied by Caddy to the gateway's pages, hangs (and
   * the management port refuses it); browsers never ask for h2c.
   */
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private static final String PROJECT = "trynow-it-" + UUID.randomUUID().toString().substring(0, 8);
  private static final Map<String, Integer> PORTS = new LinkedHashMap<>();
  private static final Map<String, Long> TIMINGS = new LinkedHashMap<>();
  private static ComposeProject compose;
  private static DockerClient docker;

  @BeforeAll
  static void writeProject() throws IOException {
    docker = DockerEngine.client();
    Path dir = Files.createDirectories(Path.of("target/compose-it", PROJECT).toAbsolutePath());
    for (String key :
        List.of(
            "NATS",
            "NATS_MONITOR",
            "VALKEY",
            "CADDY_ADMIN",
            "DEMO",
            "GATEWAY",
            "POOL",
            "PROVISIONER",
            "PROXY_SYNC",
            "CLEANUP")) {
      int port;
      do {
        port = FreePorts.one();
      } while (PORTS.containsValue(port));
      PORTS.put(key, port);
    }
    int firstInstancePort = FreePorts.range(20);

    long t0 = System.nanoTime();
    SampleImage.ensureBuilt();
    Map<String, String> servers = new TreeMap<>();
    for (String line :
        ComposeProject.runScript(dir, Repo.root().resolve("deploy/docker/local-server-images.sh"))
            .lines()
            .toList()) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        servers.put(line.substring(0, eq), line.substring(eq + 1).strip());
      }
    }
    assertThat(servers).containsOnlyKeys("nats", "valkey", "caddy");
    String jreBase =
        lastLine(
            ComposeProject.runScript(
                dir,
                Repo.root().resolve("deploy/docker/local-jre-base.sh"),
                System.getProperty("java.home")));
    TIMINGS.put("stand-in images", millisSince(t0));

    // deploy/compose/nats.conf as it is, less the one key nats-server 2.9 does not know.
    String natsConf = Files.readString(Repo.root().resolve("deploy/compose/nats.conf"));
    assertThat(natsConf).containsPattern("(?m)^\\s*sync_interval: always$");
    Path natsConf29 = dir.resolve("nats.conf");
    Files.writeString(natsConf29, natsConf.replaceAll("(?m)^\\s*sync_interval: always\\n", ""));

    // deploy/compose/templates.properties as it is, less bridge mode (no bridge here).
    String templates = Files.readString(Repo.root().resolve("deploy/compose/templates.properties"));
    Path hostTemplates = dir.resolve("templates.properties");
    Files.writeString(
        hostTemplates,
        replaceOnce(
            templates,
            "trynow.templates.hello.network-mode=bridge",
            "trynow.templates.hello.network-mode=host"));

    Map<String, String> env = new LinkedHashMap<>();
    env.put("DOCKER_GID", String.valueOf(Files.getAttribute(dockerSocket(), "unix:gid")));
    env.put("TRYNOW_REGISTRY", SERVICES_REGISTRY);
    env.put("TRYNOW_VERSION", SERVICES_VERSION);
    env.put("TRYNOW_BASE_IMAGE", jreBase);
    // The documented step: 32 random bytes in hex (the gateway refuses to start without it).
    byte[] secret = new byte[32];
    new java.security.SecureRandom().nextBytes(secret);
    env.put("TRYNOW_GATEWAY_TICKET_SECRET", java.util.HexFormat.of().formatHex(secret));
    env.put("TRYNOW_VALKEY_PREFIX", PROJECT);
    env.put("TRYNOW_DEMO_DOMAIN", DEMO_DOMAIN);
    env.put("TRYNOW_PUBLIC_PORT", String.valueOf(PORTS.get("DEMO")));
    env.put("TRYNOW_PUBLISH_HOST", INSTANCE_HOST);
    env.put("TRYNOW_PORTS_FIRST", String.valueOf(firstInstancePort));
    env.put("TRYNOW_PORTS_LAST", String.valueOf(firstInstancePort + 19));
    env.put("IT_NATS_IMAGE", servers.get("nats"));
    env.put("IT_VALKEY_IMAGE", servers.get("valkey"));
    env.put("IT_CADDY_IMAGE", servers.get("caddy"));
    env.put("IT_NATS_CONF", natsConf29.toString());
    env.put("IT_TEMPLATES", hostTemplates.toString());
    env.put("IT_INSTANCE_HOST", INSTANCE_HOST);
    env.put("IT_CADDY_LISTEN_HOST", CADDY_LISTEN_HOST);
    PORTS.forEach((k, v) -> env.put("IT_" + k + "_PORT", String.valueOf(v)));
    StringBuilder envText = new StringBuilder();
    env.forEach((k, v) -> envText.append(k).append('=').append(v).append('\n'));
    Path envFile = Files.writeString(dir.resolve("it.env"), envText);

    Path base = ComposeProject.hostNetworked(Repo.composeFile(), dir.resolve("docker-compose.yml"));
    compose =
        new ComposeProject(
            PROJECT,
            dir,
            List.of(
                base,
                Repo.root().resolve("deploy/src/test/resources/compose/host-network.override.yml")),
            envFile);
  }

  @AfterAll
  static void takeEverythingDown() {
    if (compose == null) {
      return;
    }
    try {
      compose.compose(Duration.ofMinutes(2), "logs", "--no-color", "--timestamps");
    } catch (RuntimeException e) {
      // the log is only for reading after a failure
    }
    try {
      compose.compose(Duration.ofMinutes(3), "down", "-v", "--remove-orphans", "--timeout", "20");
    } finally {
      for (Container c : instanceContainers()) {
        docker.removeContainerCmd(c.getId()).withForce(true).exec();
      }
    }
  }

  @Test
  void upServesADemoThroughCaddyAndDownLeavesNothing() throws Exception {
    Map<String, String> previousImages = serviceImageIds();
    // the build contexts (ComposeFileTest: <service>/target/quarkus-app) hold the aot-jars
    ComposeFileTest.SERVICES.keySet().forEach(AotJar::app);
    long t0 = System.nanoTime();
    compose.compose(Duration.ofMinutes(15), "up", "-d", "--build");
    TIMINGS.put("up -d --build", millisSince(t0));
    Map<String, String> builtImages = serviceImageIds();
    assertThat(builtImages).hasSize(ComposeFileTest.SERVICES.size());
    previousImages.forEach((image, id) -> {
      if (!id.equals(builtImages.get(image))) {
        removeIfUntagged(id);
      }
    });

    // ---- every container healthy (5 services, NATS, Valkey, Caddy)
    long t1 = System.nanoTime();
    await("every container of " + PROJECT + " healthy")
        .atMost(Duration.ofMinutes(6))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(() -> {
          Map<String, String> health = new TreeMap<>();
          for (Container c : projectContainers()) {
            InspectContainerResponse i = docker.inspectContainerCmd(c.getId()).exec();
            health.put(
                c.getLabels().get("com.docker.compose.service"),
                i.getState().getHealth() == null
                    ? "no healthcheck"
                    : i.getState().getHealth().getStatus());
          }
          assertThat(health)
              .as("container health (log: %s)", compose.log())
              .hasSize(8)
              .allSatisfy((service, status) -> assertThat(status).as(service).isEqualTo("healthy"));
        });
    TIMINGS.put("all healthy", millisSince(t1));
    for (Container c : projectContainers()) {
      assertThat(docker.inspectContainerCmd(c.getId()).exec().getHostConfig().getNetworkMode())
          .isEqualTo("host");
    }

    // ---- the example template (deploy/compose/templates.properties) fills its pool
    long t2 = System.nanoTime();
    String gateway = "http://127.0.0.1:" + PORTS.get("GATEWAY");
    await("a ready hello demo")
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> {
          JsonNode templates = JSON.readTree(get(gateway + "/v1/templates", Map.of()).body());
          for (JsonNode t : templates) {
            if (t.path("name").asText().equals("hello")) {
              return t.path("available").asInt() >= 1;
            }
          }
          return false;
        });
    TIMINGS.put("pool ready", millisSince(t2));

    // ---- a visitor gets a demo and its page through the Caddy container
    HttpResponse<String> acquired =
        send(
            HttpRequest.newBuilder(URI.create(gateway + "/v1/demos"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"template\":\"hello\"}")));
    assertThat(acquired.statusCode()).as(acquired.body()).isEqualTo(201);
    JsonNode demo = JSON.readTree(acquired.body());
    String id = demo.path("id").asText();
    String token = demo.path("access_token").asText();
    assertThat(demo.path("url").asText())
        .isEqualTo("http://" + id + "." + DEMO_DOMAIN + ":" + PORTS.get("DEMO"));
    assertThat(instanceContainersOf(id)).hasSize(1);

    HttpResponse<String> page = viaCaddy(id);
    assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
    assertThat(page.body()).contains("trynow sample demo");
    assertThat(caddyRoutes()).contains(id);

    // ---- release: the instance's container and route are gone; its host shows the ended page
    long t3 = System.nanoTime();
    HttpResponse<String> released =
        send(
            HttpRequest.newBuilder(URI.create(gateway + "/v1/demos/" + id))
                .header("Authorization", "Bearer " + token)
                .DELETE());
    assertThat(released.statusCode()).as(released.body()).isEqualTo(202);
    // (generous: the shared engine removes containers slowly when the machine is loaded)
    await("container and route of " + id + " gone")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> {
          assertThat(instanceContainersOf(id)).as("container").isEmpty();
          assertThat(caddyRoutes()).as("routes").doesNotContain(id);
        });
    // Caddy's catch-all asks api-gateway (TRYNOW_CADDY_PAGES_UPSTREAM) for the host's page
    await("the ended page of " + id + " through Caddy")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> {
          HttpResponse<String> ended = viaCaddy(id);
          assertThat(ended.statusCode()).as(ended.body()).isEqualTo(410);
          assertThat(ended.body()).contains("This demo has ended", "/try/hello");
        });
    TIMINGS.put("release → gone", millisSince(t3));

    // ---- down, then the documented sweep of the demo containers the pool kept warm
    long t4 = System.nanoTime();
    compose.compose(Duration.ofMinutes(3), "down", "-v", "--timeout", "20");
    assertThat(projectContainers()).as("containers of project %s after down", PROJECT).isEmpty();
    List<String> ids = new ArrayList<>();
    instanceContainers().forEach(c -> ids.add(c.getId()));
    if (!ids.isEmpty()) {
      List<String> rm = new ArrayList<>(List.of("docker", "rm", "-f"));
      rm.addAll(ids);
      compose.run(Duration.ofMinutes(1), rm);
    }
    assertThat(instanceContainers()).as("containers of cluster %s", PROJECT).isEmpty();
    TIMINGS.put("down + sweep", millisSince(t4));
    System.out.printf("ComposeStackIT %s timings (ms): %s%n", PROJECT, TIMINGS);
  }

  // ------------------------------------------------------------------ helpers

  /**
   * Removes the image a rebuild replaced — only once no tag points at it any more (nobody else's),
   * and without failing the test when it is still in use.
   */
  private static void removeIfUntagged(String id) {
    try {
      List<String> tags = docker.inspectImageCmd(id).exec().getRepoTags();
      if (tags == null || tags.isEmpty()) {
        docker.removeImageCmd(id).exec();
      }
    } catch (RuntimeException e) {
      System.out.printf("ComposeStackIT: replaced image %s kept: %s%n", id, e);
    }
  }

  /** The service images of this worktree that exist now: name to image id. */
  private static Map<String, String> serviceImageIds() {
    Map<String, String> ids = new TreeMap<>();
    for (String service : ComposeFileTest.SERVICES.keySet()) {
      String image = SERVICES_REGISTRY + "/" + service + ":" + SERVICES_VERSION;
      try {
        ids.put(image, docker.inspectImageCmd(image).exec().getId());
      } catch (NotFoundException e) {
        ids.remove(image); // not built yet in this worktree
      }
    }
    return ids;
  }

  private static List<Container> projectContainers() {
    return docker
        .listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of("com.docker.compose.project", PROJECT))
        .exec();
  }

  private static List<Container> instanceContainers() {
    return docker
        .listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of(Labels.CLUSTER, PROJECT))
        .exec();
  }

  private static List<Container> instanceContainersOf(String id) {
    return instanceContainers().stream()
        .filter(c -> id.equals(c.getLabels().get(Labels.INSTANCE)))
        .toList();
  }

  /** Caddy's routes as JSON text (the admin API of the Caddy container). */
  private static String caddyRoutes() throws IOException, InterruptedException {
    HttpResponse<String> r =
        get("http://127.0.0.1:" + PORTS.get("CADDY_ADMIN") + "/config/apps/http/servers", Map.of());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  private static HttpResponse<String> viaCaddy(String id) throws IOException, InterruptedException {
    return get(
        "http://" + CADDY_LISTEN_HOST + ":" + PORTS.get("DEMO") + "/",
        Map.of("Host", id + "." + DEMO_DOMAIN));
  }

  private static HttpResponse<String> get(String url, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    headers.forEach(b::header);
    return send(b.GET());
  }

  private static HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return HTTP.send(
        request.timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** The engine's socket, which docker-compose.yml mounts into the two Docker workers. */
  private static Path dockerSocket() {
    assertThat(System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock"))
        .as("DOCKER_HOST: the test's engine must be the one docker-compose.yml mounts")
        .isEqualTo("unix:///var/run/docker.sock");
    return Path.of("/var/run/docker.sock");
  }

  private static String replaceOnce(String text, String line, String replacement) {
    assertThat(text.split(java.util.regex.Pattern.quote(line), -1))
        .as("'%s' once in deploy/compose/templates.properties", line)
        .hasSize(2);
    return text.replace(line, replacement);
  }

  private static long millisSince(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

  private static String lastLine(String output) {
    List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
    return lines.get(lines.size() - 1).strip();
  }
}
