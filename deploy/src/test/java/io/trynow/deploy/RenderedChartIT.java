package io.trynow.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.NKey;
import io.trynow.testsupport.DockerDaemon;
import io.trynow.testsupport.NatsOperator;
import io.trynow.testsupport.NatsServer;
import io.trynow.testsupport.RealServers;
import io.trynow.testsupport.TlsFiles;
import io.trynow.testsupport.ValkeySentinels;
import io.trynow.testsupport.ValkeyServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs what the chart renders: the production example ({@code
 * deploy/helm/examples/production-values.yaml}) rendered by Helm, then each of the five services
 * started from its built jar with exactly the environment its Deployment gives it ({@link
 * RenderedPod}: env, the image's ENV, mounted Secret and ConfigMap files) against servers the
 * harness starts — NATS with TLS (client certificates verified) in operator mode (user JWTs),
 * Valkey with TLS (client certificates verified) and a password, a {@code dockerd --tlsverify} on
 * TCP, and Caddy — and every one must become ready.
 *
 * <p>The example is rendered unchanged, its NATS user JWT included: the harness runs NATS in
 * operator mode with an operator, account and user made by the test ({@link NatsOperator}). The
 * operator's Secrets the example names are made here, with material made by the test. The other
 * ways to authenticate the chart offers (an NKey seed; a NATS user and password with a Valkey ACL
 * user behind Sentinel; a NATS token) are rendered on top of the example and run with pool-service,
 * each against a server that accepts only that way.
 */
class RenderedChartIT {

  private static final String VALKEY_PASSWORD = "rendered-chart-it-" + UUID.randomUUID();

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

  private static final List<String> SERVICES = HelmManifestsTest.SERVICES;

  private static TlsFiles tls;
  private static NatsOperator operator;
  private static NatsServer nats;
  private static RealServers servers;
  private static ValkeyServer valkey;
  private static DockerDaemon docker;
  private static Manifests manifests;
  private static Map<String, Map<String, String>> secrets;
  private static Map<String, String> addresses;
  private static Map<String, String> listeners;
  private static Dockerfile image;

  @BeforeAll
  static void start() throws Exception {
    tls = TlsFiles.create();
    operator = NatsOperator.create();
    nats = new NatsServer(new NatsServer.Security(tls, true, NatsServer.Auth.operator(operator)));
    nats.start();
    valkey = new ValkeyServer(new ValkeyServer.Options().tls(tls).password(VALKEY_PASSWORD));
    valkey.start();
    servers = RealServers.start(RealServers.Kind.CADDY);
    docker = DockerDaemon.withTls("rc-" + UUID.randomUUID().toString().substring(0, 8), tls);
    docker.start();

    manifests = render(null);
    image = Dockerfile.parse(Repo.dockerfile());

    // The Secrets in the cluster: the chart's own, and the operator's that the example names.
    secrets = new LinkedHashMap<>();
    for (Map<String, Object> s : manifests.ofKind("Secret")) {
      secrets.put(Tree.string(s, "metadata", "name"), RenderedPod.secretData(s));
    }
    secrets.put(
        "trynow-gateway-auth",
        Map.of(
            "ticket-secret",
            "rendered-chart-it-" + UUID.randomUUID(),
            "api-keys",
            "",
            "admin-key-hash",
            sha256Hex("rendered-chart-it-admin-key")));
    secrets.put("trynow-nats-creds", Map.of("trynow.creds", operator.userCreds("trynow")));
    secrets.put(
        "trynow-nats-tls",
        Map.of(
            "ca.crt", read(tls.ca()),
            "tls.crt", read(tls.clientCert()),
            "tls.key", read(tls.clientKey())));
    secrets.put("trynow-valkey", Map.of("password", VALKEY_PASSWORD));
    secrets.put(
        "trynow-valkey-tls",
        Map.of(
            "ca.crt", read(tls.ca()),
            "tls.crt", read(tls.clientCert()),
            "tls.key", read(tls.clientKey())));
    secrets.put(
        "trynow-docker-tls",
        Map.of(
            "ca.pem", read(tls.ca()),
            "cert.pem", read(tls.clientCert()),
            "key.pem", read(tls.clientKey())));

    // Cluster DNS: the names in the example → where the harness' servers listen.
    URI caddyAdmin = URI.create(servers.caddy().adminUrl());
    URI valkeyUrl = URI.create(valkey.url());
    addresses =
        Map.of(
            "nats.nats.svc:4222", "127.0.0.1:" + URI.create(nats.url()).getPort(),
            "valkey-primary.valkey.svc:6380", "127.0.0.1:" + valkeyUrl.getPort(),
            "docker-1.internal.example.org:2376", docker.tlsHost().substring("tcp://".length()),
            "docker-1.internal.example.org", "127.0.0.1",
            "trynow-caddy-admin:2019", "127.0.0.1:" + caddyAdmin.getPort());
    // Listeners: loopback and the harness Caddy's demo port instead of 0.0.0.0 and pod ports.
    listeners =
        Map.of(
            "TRYNOW_ENDPOINTS_CADDY_LISTEN_HOST", "127.0.0.1",
            "TRYNOW_CADDY_HTTP_PORT", String.valueOf(servers.caddy().httpPort()),
            "TRYNOW_ENDPOINTS_PUBLISH_HOST", "127.0.0.1");
  }

  @AfterAll
  static void stop() throws Exception {
    if (docker != null) {
      docker.close();
    }
    if (servers != null) {
      servers.close();
    }
    if (nats != null) {
      nats.close();
    }
    if (valkey != null) {
      valkey.close();
    }
  }

  /** The production example, with {@code values} (YAML, or null) rendered on top of it. */
  private static Manifests render(String values) throws IOException {
    List<Path> files = new ArrayList<>(List.of(Repo.productionValues()));
    if (values != null) {
      Path f = Files.createTempFile("trynow-values-", ".yaml");
      Files.writeString(f, values);
      files.add(f);
    }
    return HelmChart.render(Repo.chart(), files, Map.of());
  }

  /**
   * The environment of {@code service}'s image as {@code build-images.sh} builds it: Dockerfile.jvm
   * with the service's own JVM options as its {@code JVM_OPTS} build argument (C1 for all but the
   * gateway), so that each pod runs the JVM the chart ships.
   */
  private static Map<String, String> imageEnv(String service) {
    return image.env(Map.of("JVM_OPTS", Repo.jvmOptions(service)));
  }

  private static RenderedPod pod(String service, Map<String, Map<String, String>> with) {
    return new RenderedPod(manifests, service, imageEnv(service), with, addresses, listeners);
  }

  @Test
  void everyServiceBecomesReadyWithTheEnvironmentItsDeploymentGivesIt() throws Exception {
    List<RenderedPod> pods = new ArrayList<>();
    try {
      // api-gateway first: its public Service (trynow-api-gateway:80) is the pages upstream that
      // proxy-sync gives Caddy, and it is where this pod listens.
      RenderedPod gateway = pod("api-gateway", secrets).start();
      pods.add(gateway);
      Map<String, String> names = new LinkedHashMap<>(addresses);
      names.put("trynow-api-gateway:80", "127.0.0.1:" + gateway.port());
      for (String service : SERVICES) {
        if (!service.equals("api-gateway")) {
          pods.add(
              new RenderedPod(manifests, service, imageEnv(service), secrets, names, listeners)
                  .start());
        }
      }
      // One thread per pod: the common pool may have a single worker here, which would make the
      // waits (and their timeouts) add up.
      try (ExecutorService waits = Executors.newVirtualThreadPerTaskExecutor()) {
        CompletableFuture.allOf(
                pods.stream()
                    .map(p ->
                        CompletableFuture.runAsync(
                            () -> p.awaitReady(Duration.ofMinutes(5)), waits))
                    .toArray(CompletableFuture[]::new))
            .join();
      }
      for (RenderedPod p : pods) {
        JsonNode ready = JSON.readTree(p.readiness().body());
        JsonNode natsCheck = check(ready, "nats");
        assertThat(natsCheck.path("status").asText()).as(p.service()).isEqualTo("UP");
        // The example's user JWT (.creds), accepted by an operator-mode server.
        assertThat(natsCheck.path("data").path("auth").asText()).isEqualTo("creds-file");
        assertThat(natsCheck.path("data").path("tls").asText()).isEqualTo("mutual");
        assertThat(check(ready, "valkey").path("status").asText()).as(p.service()).isEqualTo("UP");
        // The production profile: the gateway read its ticket secret from the mounted file.
        assertThat(p.env()).doesNotContainKey("QUARKUS_PROFILE");
        // The JVM ran with the image's options, the service's own included (all but the gateway:
        // C1 only)
        String options = p.env().get("JAVA_TOOL_OPTIONS");
        assertThat(options)
            .as(p.service())
            .contains("-XX:+UseSerialGC", Repo.jvmOptions(p.service()));
        assertThat(options.contains("-XX:TieredStopAtLevel=1"))
            .as(p.service())
            .isEqualTo(ComposeFileTest.C1_ONLY.contains(p.service()));
        assertThat(Files.readString(p.log()))
            .as(p.service())
            .contains("Picked up JAVA_TOOL_OPTIONS: " + options);
      }
      // A demo host without a route: Caddy's catch-all (written by proxy-sync) fetches its page
      // from api-gateway (TRYNOW_CADDY_PAGES_UPSTREAM), not Caddy's own static 404 page. (The
      // ended page, 410, through the same route: ComposeStackIT, after a real release.)
      await("the page of a route-less demo host, from api-gateway through Caddy")
          .atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .untilAsserted(() -> {
            HttpResponse<String> page =
                HTTP.send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + servers.caddy().httpPort() + "/"))
                        .header("Host", "i" + "a".repeat(19) + ".demo.example.org")
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).as(page.body()).isEqualTo(404);
            assertThat(page.body()).contains("does not exist, or it ended long ago");
          });
    } finally {
      pods.forEach(RenderedPod::close);
    }
  }

  @Test
  void aUserJwtOfAnotherAccountMakesReadinessDownNamingNats() throws Exception {
    Map<String, Map<String, String>> wrong = new LinkedHashMap<>(secrets);
    wrong.put("trynow-nats-creds", Map.of("trynow.creds", operator.foreignUserCreds("trynow")));
    try (RenderedPod pool = pod("pool-service", wrong).start()) {
      awaitNatsError(pool, "Authorization Violation");
      HttpResponse<String> r = pool.readiness();
      assertThat(r.statusCode()).isEqualTo(503);
      JsonNode natsCheck = check(JSON.readTree(r.body()), "nats");
      assertThat(natsCheck.path("status").asText()).isEqualTo("DOWN");
      assertThat(natsCheck.path("data").path("auth").asText()).isEqualTo("creds-file");
    }
  }

  @Test
  void anNkeySeedRunsAsRendered() throws Exception {
    NKey user = NKey.createUser(null);
    try (NatsServer nkeyNats =
        new NatsServer(
            new NatsServer.Security(
                tls, true, NatsServer.Auth.nkey(new String(user.getPublicKey()))))) {
      nkeyNats.start();
      Map<String, Map<String, String>> with = new LinkedHashMap<>(secrets);
      with.put("trynow-nats-nkey", Map.of("seed", new String(user.getSeed())));
      assertPoolServiceReady(
          """
          nats:
            credentials: {existingSecret: ""}
            nkey: {existingSecret: trynow-nats-nkey, key: seed}
          """,
          with,
          Map.of("nats.nats.svc:4222", "127.0.0.1:" + URI.create(nkeyNats.url()).getPort()),
          "nkey-file");
    }
  }

  /**
   * {@code nats.user} with its password Secret, and Valkey through Sentinel ({@code
   * valkey.sentinel}, the sentinels' address in {@code valkey.url}) as an ACL user ({@code
   * valkey.user}, the password from {@code valkey.password}), TLS to both as in the example.
   */
  @Test
  void aNatsUserAndAValkeyAclUserBehindSentinelRunAsRendered() throws Exception {
    String natsPassword = "nats-" + UUID.randomUUID();
    String aclPassword = "acl-" + UUID.randomUUID();
    try (NatsServer userNats =
            new NatsServer(
                new NatsServer.Security(tls, true, NatsServer.Auth.user("trynow", natsPassword)));
        ValkeySentinels sentinels =
            ValkeySentinels.start(
                1,
                1,
                new ValkeyServer.Options()
                    .password("default-" + UUID.randomUUID())
                    .aclUser("trynow", aclPassword)
                    .tls(tls))) {
      userNats.start();
      Map<String, Map<String, String>> with = new LinkedHashMap<>(secrets);
      with.put("trynow-nats-password", Map.of("password", natsPassword));
      with.put("trynow-valkey", Map.of("password", aclPassword));
      RenderedPod pool =
          assertPoolServiceReady(
              """
              nats:
                credentials: {existingSecret: ""}
                user: trynow
                password: {existingSecret: trynow-nats-password}
              valkey:
                url: rediss://valkey-sentinel.valkey.svc:26380
                user: trynow
                sentinel: {enabled: true, masterName: %s}
                waitReplicas: 1
              """
                  .formatted(sentinels.masterName()),
              with,
              Map.of(
                  "nats.nats.svc:4222", "127.0.0.1:" + URI.create(userNats.url()).getPort(),
                  "valkey-sentinel.valkey.svc:26380",
                      "127.0.0.1:" + URI.create(sentinels.sentinelUrls().get(0)).getPort()),
              "user");
      assertThat(pool.env())
          .containsEntry("QUARKUS_REDIS_CLIENT_TYPE", "sentinel")
          .containsEntry("TRYNOW_VALKEY_USER", "trynow");
    }
  }

  @Test
  void aNatsTokenRunsAsRendered() throws Exception {
    String token = "token-" + UUID.randomUUID();
    try (NatsServer tokenNats =
        new NatsServer(new NatsServer.Security(tls, true, NatsServer.Auth.token(token)))) {
      tokenNats.start();
      Map<String, Map<String, String>> with = new LinkedHashMap<>(secrets);
      with.put("trynow-nats-token", Map.of("token", token));
      assertPoolServiceReady(
          """
          nats:
            credentials: {existingSecret: ""}
            token: {existingSecret: trynow-nats-token}
          """,
          with,
          Map.of("nats.nats.svc:4222", "127.0.0.1:" + URI.create(tokenNats.url()).getPort()),
          "token");
    }
  }

  /**
   * Renders {@code values} over the example, starts pool-service as rendered with these Secrets and
   * cluster names (over the class' own), and asserts it becomes ready with NATS authenticated the
   * {@code auth} way over mutual TLS and Valkey up. Returns the (closed) pod.
   */
  private static RenderedPod assertPoolServiceReady(
      String values, Map<String, Map<String, String>> with, Map<String, String> names, String auth)
      throws Exception {
    Map<String, String> all = new LinkedHashMap<>(addresses);
    all.putAll(names);
    try (RenderedPod pool =
        new RenderedPod(
                render(values), "pool-service", imageEnv("pool-service"), with, all, listeners)
            .start()) {
      pool.awaitReady(Duration.ofMinutes(5));
      JsonNode ready = JSON.readTree(pool.readiness().body());
      JsonNode natsCheck = check(ready, "nats");
      assertThat(natsCheck.path("status").asText()).isEqualTo("UP");
      assertThat(natsCheck.path("data").path("auth").asText()).isEqualTo(auth);
      assertThat(natsCheck.path("data").path("tls").asText()).isEqualTo("mutual");
      assertThat(check(ready, "valkey").path("status").asText())
          .as(ready.toString())
          .isEqualTo("UP");
      return pool;
    }
  }

  private static void awaitNatsError(RenderedPod pod, String error) {
    await(pod.service() + " reports why NATS is down (log: " + pod.log() + ")")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() ->
            check(JSON.readTree(pod.readiness().body()), "nats")
                .path("data")
                .path("last_error")
                .asText()
                .contains(error));
  }

  /**
   * A template the operator gives only as environment variables (Helm {@code extraEnv}, as
   * Compose's {@code environment:} would): api-gateway, started as rendered, serves it with its
   * settings. Its name has a dash, which SmallRye Config alone cannot tell from a separator (the
   * variables were ignored before platform's {@code TemplatesFromEnv}).
   */
  @Test
  void aTemplateGivenOnlyAsEnvironmentVariablesIsServed() throws Exception {
    Manifests withEnv =
        render(
            """
            services:
              apiGateway:
                extraEnv:
                  - {name: TRYNOW_TEMPLATES_MY_SHOP_IMAGE, value: "registry.example.org/my-shop:1.0"}
                  - {name: TRYNOW_TEMPLATES_MY_SHOP_DEFAULT_TTL, value: 7m}
                  - {name: TRYNOW_TEMPLATES_MY_SHOP_MAX_LIFETIME, value: 1h}
            """);
    try (RenderedPod gateway =
        new RenderedPod(
                withEnv, "api-gateway", imageEnv("api-gateway"), secrets, addresses, listeners)
            .start()) {
      gateway.awaitReady(Duration.ofMinutes(5));
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + gateway.port() + "/v1/templates"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode myShop = null;
      for (JsonNode t : JSON.readTree(r.body())) {
        if (t.path("name").asText().equals("my-shop")) {
          myShop = t;
        }
      }
      assertThat(myShop).as(r.body()).isNotNull();
      assertThat(myShop.path("default_ttl_seconds").asLong()).isEqualTo(420);
      assertThat(myShop.path("max_lifetime_seconds").asLong()).isEqualTo(3600);
    }
  }

  private static JsonNode check(JsonNode health, String name) {
    for (JsonNode c : health.path("checks")) {
      if (name.equals(c.path("name").asText())) {
        return c;
      }
    }
    throw new AssertionError("no check " + name + " in " + health);
  }

  private static String read(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.UTF_8);
  }

  private static String sha256Hex(String s) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }
}
