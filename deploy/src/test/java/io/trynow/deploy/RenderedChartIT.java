package io.trynow.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.NKey;
import io.trynow.testsupport.DockerDaemon;
import io.trynow.testsupport.NatsServer;
import io.trynow.testsupport.RealServers;
import io.trynow.testsupport.TlsFiles;
import io.trynow.testsupport.ValkeyServer;
import java.io.IOException;
import java.net.URI;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs what the chart renders: the production example ({@code
 * deploy/helm/examples/production-values.yaml}) rendered by Helm, then each of the five services
 * started from its built jar with exactly the environment its Deployment gives it ({@link
 * RenderedPod}: env, the image's ENV, mounted Secret and ConfigMap files) against servers the
 * harness starts — NATS with TLS (client certificates verified) and an NKey user, Valkey with TLS
 * (client certificates verified) and a password, a {@code dockerd --tlsverify} on TCP, and Caddy —
 * and every one must become ready.
 *
 * <p>The example is rendered unchanged except for {@link #OVERLAY}, each line with its reason. The
 * operator's Secrets the example names are made here, with material made by the test.
 */
class RenderedChartIT {

  /**
   * What this machine cannot run as the example says: the example authenticates to NATS with a
   * credentials file (user JWT), which needs an operator-mode server the harness does not run; an
   * NKey seed file takes its place (same kind of mount and setting; the client signs the server's
   * nonce with the seed in both cases, the JWT is what is left out).
   */
  static final String OVERLAY =
      """
      nats:
        credentials: {existingSecret: ""}
        nkey: {existingSecret: trynow-nats-nkey, key: seed}
      """;

  private static final String VALKEY_PASSWORD = "rendered-chart-it-" + UUID.randomUUID();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> SERVICES = HelmManifestsTest.SERVICES;

  private static TlsFiles tls;
  private static NatsServer nats;
  private static RealServers servers;
  private static ValkeyServer valkey;
  private static DockerDaemon docker;
  private static Manifests manifests;
  private static Map<String, Map<String, String>> secrets;
  private static Map<String, String> addresses;
  private static Map<String, String> listeners;
  private static Map<String, String> imageEnv;

  @BeforeAll
  static void start() throws Exception {
    tls = TlsFiles.create();
    NKey user = NKey.createUser(null);
    nats =
        new NatsServer(
            new NatsServer.Security(
                tls, true, NatsServer.Auth.nkey(new String(user.getPublicKey()))));
    nats.start();
    valkey = new ValkeyServer(new ValkeyServer.Options().tls(tls).password(VALKEY_PASSWORD));
    valkey.start();
    servers = RealServers.start(RealServers.Kind.CADDY);
    docker = DockerDaemon.withTls("rc-" + UUID.randomUUID().toString().substring(0, 8), tls);
    docker.start();

    Path overlay = Files.createTempFile("trynow-overlay-", ".yaml");
    Files.writeString(overlay, OVERLAY);
    manifests = HelmChart.render(Repo.chart(), List.of(Repo.productionValues(), overlay), Map.of());
    imageEnv = Dockerfile.parse(Repo.dockerfile()).env();

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
    secrets.put("trynow-nats-nkey", Map.of("seed", new String(user.getSeed())));
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

  private static RenderedPod pod(String service, Map<String, Map<String, String>> with) {
    return new RenderedPod(manifests, service, imageEnv, with, addresses, listeners);
  }

  @Test
  void everyServiceBecomesReadyWithTheEnvironmentItsDeploymentGivesIt() throws Exception {
    List<RenderedPod> pods = new ArrayList<>();
    try {
      for (String service : SERVICES) {
        pods.add(pod(service, secrets).start());
      }
      CompletableFuture.allOf(
              pods.stream()
                  .map(p -> CompletableFuture.runAsync(() -> p.awaitReady(Duration.ofMinutes(5))))
                  .toArray(CompletableFuture[]::new))
          .join();
      for (RenderedPod p : pods) {
        JsonNode ready = JSON.readTree(p.readiness().body());
        JsonNode natsCheck = check(ready, "nats");
        assertThat(natsCheck.path("status").asText()).as(p.service()).isEqualTo("UP");
        assertThat(natsCheck.path("data").path("auth").asText()).isEqualTo("nkey-file");
        assertThat(natsCheck.path("data").path("tls").asText()).isEqualTo("mutual");
        assertThat(check(ready, "valkey").path("status").asText()).as(p.service()).isEqualTo("UP");
        // The production profile: the gateway read its ticket secret from the mounted file.
        assertThat(p.env()).doesNotContainKey("QUARKUS_PROFILE");
      }
    } finally {
      pods.forEach(RenderedPod::close);
    }
  }

  @Test
  void wrongNatsCredentialsMakeReadinessDownNamingNats() throws Exception {
    Map<String, Map<String, String>> wrong = new LinkedHashMap<>(secrets);
    wrong.put("trynow-nats-nkey", Map.of("seed", new String(NKey.createUser(null).getSeed())));
    try (RenderedPod pool = pod("pool-service", wrong).start()) {
      await("pool-service reports why NATS is down (log: " + pool.log() + ")")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(() ->
              check(JSON.readTree(pool.readiness().body()), "nats")
                  .path("data")
                  .path("last_error")
                  .asText()
                  .contains("Authorization Violation"));
      HttpResponse<String> r = pool.readiness();
      assertThat(r.statusCode()).isEqualTo(503);
      JsonNode natsCheck = check(JSON.readTree(r.body()), "nats");
      assertThat(natsCheck.path("status").asText()).isEqualTo("DOWN");
      assertThat(natsCheck.path("data").path("auth").asText()).isEqualTo("nkey-file");
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
