package io.trynow.deploy;

import static io.trynow.deploy.Tree.at;
import static io.trynow.deploy.Tree.list;
import static io.trynow.deploy.Tree.map;
import static io.trynow.deploy.Tree.maps;
import static io.trynow.deploy.Tree.string;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Assertions on what the chart renders, with the default values and the production example. */
class HelmManifestsTest {

  static final List<String> SERVICES =
      List.of("api-gateway", "pool-service", "provisioner-worker", "proxy-sync", "cleanup-worker");

  /** repository:tag or repository[:tag]@sha256:digest, never latest. */
  static final Pattern PINNED =
      Pattern.compile(
          "^[^\\s@]+:[A-Za-z0-9_][A-Za-z0-9_.-]*(@sha256:[a-f0-9]{64})?$|^[^\\s@]+@sha256:[a-f0-9]{64}$");

  private static final Manifests DEFAULTS = HelmChart.render();
  private static final Manifests PRODUCTION = HelmChart.render(Repo.productionValues());
  private static final ConfigKeys CONFIG_KEYS = ConfigKeys.scan();

  static Stream<Arguments> valueSets() {
    return Stream.of(Arguments.of("defaults", DEFAULTS), Arguments.of("production", PRODUCTION));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valueSets")
  void everyContainerHasProbesResourcesAndRunsNonRootOnAReadOnlyRoot(String name, Manifests m) {
    assertThat(m.containers()).hasSize(SERVICES.size() + 1); // + caddy
    for (Map<String, Object> spec : m.podSpecs()) {
      assertThat(at(spec, "securityContext", "runAsNonRoot")).isEqualTo(true);
      assertThat((Integer) at(spec, "securityContext", "runAsUser")).isPositive();
      assertThat(string(spec, "securityContext", "seccompProfile", "type"))
          .isEqualTo("RuntimeDefault");
      for (Map<String, Object> c : maps(spec, "containers")) {
        String container = string(c, "name");
        assertThat(at(c, "livenessProbe")).as(container).isNotNull();
        assertThat(at(c, "readinessProbe")).as(container).isNotNull();
        assertThat(at(c, "startupProbe")).as(container).isNotNull();
        assertThat(string(c, "resources", "requests", "cpu")).as(container).isNotBlank();
        assertThat(string(c, "resources", "requests", "memory")).as(container).isNotBlank();
        assertThat(string(c, "resources", "limits", "memory")).as(container).isNotBlank();
        Map<String, Object> sc = map(c, "securityContext");
        assertThat(sc.get("runAsNonRoot")).as(container).isEqualTo(true);
        assertThat(sc.get("readOnlyRootFilesystem")).as(container).isEqualTo(true);
        assertThat(sc.get("allowPrivilegeEscalation")).as(container).isEqualTo(false);
        assertThat(list(sc, "capabilities", "drop")).as(container).containsExactly("ALL");
        // Only caddy keeps NET_BIND_SERVICE in its bounding set (its binary carries that file
        // capability; with no privilege escalation the process never gains it).
        List<Object> added = list(sc, "capabilities", "add");
        if (container.equals("caddy")) {
          assertThat(added).containsExactly("NET_BIND_SERVICE");
        } else {
          assertThat(added).as(container).isEmpty();
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valueSets")
  void servicesProbeTheQuarkusHealthEndpoints(String name, Manifests m) {
    for (String service : SERVICES) {
      Map<String, Object> c = container(m, service);
      assertThat(string(c, "livenessProbe", "httpGet", "path")).isEqualTo("/q/health/live");
      assertThat(string(c, "readinessProbe", "httpGet", "path")).isEqualTo("/q/health/ready");
      assertThat(string(c, "startupProbe", "httpGet", "path")).isEqualTo("/q/health/started");
      // api-gateway answers /q/* on its management port only; the workers on their one port
      String port = service.equals("api-gateway") ? "management" : "http";
      for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
        assertThat(string(c, probe, "httpGet", "port")).as(service + " " + probe).isEqualTo(port);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valueSets")
  void theManagementPortIsNeverPublic(String name, Manifests m) {
    // the public Service and the Ingress carry only the http port
    Map<String, Object> gateway = m.get("Service", "trynow-api-gateway");
    assertThat(maps(gateway, "spec", "ports").stream().map(p -> p.get("targetPort")))
        .containsExactly("http");
    Map<String, Object> management = m.get("Service", "trynow-api-gateway-management");
    assertThat(at(management, "spec", "type")).isEqualTo("ClusterIP");
    assertThat(maps(management, "spec", "ports").stream().map(p -> p.get("targetPort")))
        .containsExactly("management");
    assertThat(envValue(container(m, "api-gateway"), "TRYNOW_MANAGEMENT_PORT")).isEqualTo("9000");
    for (Map<String, Object> ing : m.ofKind("Ingress")) {
      String text = string(ing, "spec", "rules");
      assertThat(text).doesNotContain("management", "/q", "/admin", "/ops");
      for (Map<String, Object> rule : maps(ing, "spec", "rules")) {
        for (Map<String, Object> path : maps(rule, "http", "paths")) {
          assertThat(string(path, "path")).matches("/(v1|embed|try|demo)");
        }
      }
    }
  }

  /** Seeds 001 and 002: ":latest" images made deployments unreproducible. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("valueSets")
  void noImageIsLatestOrUntagged(String name, Manifests m) {
    for (Map<String, Object> c : m.containers()) {
      String image = string(c, "image");
      assertThat(image).as(string(c, "name")).matches(PINNED).doesNotContain(":latest");
      assertThat(string(c, "imagePullPolicy")).isNotEqualTo("Always");
    }
    assertThat(m.text()).doesNotContain(":latest");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valueSets")
  void podsGetNoServiceAccountTokenAndNoServiceLinks(String name, Manifests m) {
    for (Map<String, Object> spec : m.podSpecs()) {
      assertThat(at(spec, "automountServiceAccountToken")).isEqualTo(false);
      // Service links would inject TRYNOW_<SERVICE>_PORT=tcp://… next to trynow's own config.
      assertThat(at(spec, "enableServiceLinks")).isEqualTo(false);
    }
  }

  @Test
  void withDefaultsEverySecretReferenceResolvesToARenderedSecretAndKey() {
    Map<String, Set<String>> rendered = renderedSecretKeys(DEFAULTS);
    List<String[]> refs = secretReferences(DEFAULTS);

    assertThat(refs).isNotEmpty();
    for (String[] ref : refs) {
      assertThat(rendered).as("secret %s", ref[0]).containsKey(ref[0]);
      if (ref[1] != null) {
        assertThat(rendered.get(ref[0])).as("key %s in %s", ref[1], ref[0]).contains(ref[1]);
      }
    }
    // A ticket secret is generated (the gateway refuses to start without one in production).
    Map<String, Object> secret = DEFAULTS.get("Secret", "trynow-gateway-auth");
    assertThat(string(secret, "stringData", "ticket-secret")).matches("[A-Za-z0-9]{48}");
    assertGatewayReadsItsSecretsAsFiles(DEFAULTS, "trynow-gateway-auth");
  }

  @Test
  void aGivenTicketSecretIsUsedAsIsAndChangesTheGatewaysChecksum() {
    String given = "given-ticket-secret-0123456789abcdefghijklmnop";
    Manifests m = HelmChart.renderWith(Map.of("gatewayAuth.ticketSecret", given));
    assertThat(string(m.get("Secret", "trynow-gateway-auth"), "stringData", "ticket-secret"))
        .isEqualTo(given);
    // The checksum covers the values, not the rendered Secret: two renders with a generated
    // secret keep the gateway's pods, a changed value rolls them.
    assertThat(gatewayAuthChecksum(HelmChart.render())).isEqualTo(gatewayAuthChecksum(DEFAULTS));
    assertThat(gatewayAuthChecksum(m)).isNotEqualTo(gatewayAuthChecksum(DEFAULTS));
  }

  @Test
  void aGeneratedTicketSecretIsKeptAcrossUpgrades() {
    String first =
        string(
            HelmChart.render().get("Secret", "trynow-gateway-auth"), "stringData", "ticket-secret");
    assertThat(first)
        .isNotEqualTo(
            string(DEFAULTS.get("Secret", "trynow-gateway-auth"), "stringData", "ticket-secret"));
    // The upgrade finds the first install's Secret in the cluster and keeps its ticket secret.
    HelmCluster.putSecret(
        HelmChart.NAMESPACE,
        "trynow-gateway-auth",
        Map.of("ticket-secret", first, "api-keys", "", "admin-key-hash", ""));
    try {
      Manifests upgrade = HelmChart.render();
      assertThat(
              string(upgrade.get("Secret", "trynow-gateway-auth"), "stringData", "ticket-secret"))
          .isEqualTo(first);
    } finally {
      HelmCluster.removeSecret(HelmChart.NAMESPACE, "trynow-gateway-auth");
    }
  }

  /** The per-IP live cap is one value, the gateway's; pool-service gets it in the messages. */
  @Test
  void theLiveCapPerIpIsTheGatewaysSettingOnly() {
    assertThat(envValue(container(DEFAULTS, "api-gateway"), "TRYNOW_GATEWAY_MAX_LIVE_PER_IP"))
        .isEqualTo("3");
    for (String service : SERVICES) {
      if (!service.equals("api-gateway")) {
        assertThat(envNames(container(DEFAULTS, service)))
            .as(service)
            .noneMatch(n -> n.contains("MAX_LIVE_PER_IP"));
      }
    }
    Manifests noCap = HelmChart.renderWith(Map.of("gateway.maxLivePerIp", 0));
    assertThat(envValue(container(noCap, "api-gateway"), "TRYNOW_GATEWAY_MAX_LIVE_PER_IP"))
        .isEqualTo("0");
  }

  /** The gateway's three secrets are files from one Secret volume, read via *_FILE settings. */
  static void assertGatewayReadsItsSecretsAsFiles(Manifests m, String secretName) {
    Map<String, Object> gateway = container(m, "api-gateway");
    Map<String, Object> volume =
        maps(podSpec(m, "api-gateway"), "volumes").stream()
            .filter(v -> "gateway-auth".equals(v.get("name")))
            .findFirst()
            .orElseThrow();
    assertThat(string(volume, "secret", "secretName")).isEqualTo(secretName);
    assertThat(maps(volume, "secret", "items").stream().map(i -> string(i, "path")))
        .containsExactlyInAnyOrder("ticket-secret", "api-keys", "admin-key-hash");
    assertThat(
            maps(gateway, "volumeMounts").stream()
                .filter(v -> "gateway-auth".equals(v.get("name")))
                .map(v -> string(v, "mountPath")))
        .containsExactly("/etc/trynow/gateway-auth");
    assertThat(envValue(gateway, "TRYNOW_GATEWAY_TICKET_SECRET_FILE"))
        .isEqualTo("/etc/trynow/gateway-auth/ticket-secret");
    assertThat(envValue(gateway, "TRYNOW_GATEWAY_API_KEYS_FILE"))
        .isEqualTo("/etc/trynow/gateway-auth/api-keys");
    assertThat(envValue(gateway, "TRYNOW_GATEWAY_ADMIN_KEY_HASH_FILE"))
        .isEqualTo("/etc/trynow/gateway-auth/admin-key-hash");
    // No secret travels as a plain env value.
    assertThat(envNames(gateway))
        .doesNotContain(
            "TRYNOW_GATEWAY_TICKET_SECRET",
            "TRYNOW_GATEWAY_API_KEYS",
            "TRYNOW_GATEWAY_ADMIN_KEY_HASH");
  }

  static String gatewayAuthChecksum(Manifests m) {
    return string(
        m.get("Deployment", "trynow-api-gateway"),
        "spec",
        "template",
        "metadata",
        "annotations",
        "checksum/gateway-auth");
  }

  @Test
  void withExistingSecretsTheChartCreatesNoneAndReferencesExactlyThoseNamed() {
    assertThat(PRODUCTION.ofKind("Secret")).isEmpty();
    Set<String> referenced = new HashSet<>();
    for (String[] ref : secretReferences(PRODUCTION)) {
      referenced.add(ref[0]);
    }

    assertThat(referenced)
        .containsExactlyInAnyOrder(
            "trynow-gateway-auth",
            "trynow-nats-creds",
            "trynow-nats-tls",
            "trynow-valkey",
            "trynow-valkey-tls",
            "trynow-docker-tls",
            "registry-credentials");
    assertGatewayReadsItsSecretsAsFiles(PRODUCTION, "trynow-gateway-auth");
    // The ticket secret, API keys and admin key reach the gateway and nothing else.
    for (String service : SERVICES) {
      if (!service.equals("api-gateway")) {
        assertThat(envNames(container(PRODUCTION, service))).noneMatch(n -> n.contains("GATEWAY"));
        assertThat(maps(podSpec(PRODUCTION, service), "volumes"))
            .noneMatch(v -> "gateway-auth".equals(v.get("name")));
      }
    }
  }

  @Test
  void replicasAndDisruptionBudgetsFollowTheValues() {
    Manifests m =
        HelmChart.renderWith(
            Map.of(
                "services.poolService.replicas", 4,
                "services.poolService.pdb.minAvailable", 3,
                "services.cleanupWorker.replicas", 1,
                "services.proxySync.pdb.enabled", false));

    assertThat(at(m.get("Deployment", "trynow-pool-service"), "spec", "replicas")).isEqualTo(4);
    assertThat(at(m.get("Deployment", "trynow-cleanup-worker"), "spec", "replicas")).isEqualTo(1);
    assertThat(at(m.get("Deployment", "trynow-api-gateway"), "spec", "replicas")).isEqualTo(2);
    Map<String, Object> poolPdb = m.get("PodDisruptionBudget", "trynow-pool-service");
    assertThat(at(poolPdb, "spec", "minAvailable")).isEqualTo(3);
    assertThat(at(poolPdb, "spec", "maxUnavailable")).isNull();
    assertThat(at(m.get("PodDisruptionBudget", "trynow-api-gateway"), "spec", "maxUnavailable"))
        .isEqualTo(1);
    assertThat(m.find("PodDisruptionBudget", "trynow-proxy-sync")).isEmpty();
    assertThat(m.ofKind("PodDisruptionBudget")).hasSize(4);
    // Every budget selects exactly the pods of its Deployment.
    for (Map<String, Object> pdb : m.ofKind("PodDisruptionBudget")) {
      String name = string(pdb, "metadata", "name");
      Map<String, Object> podLabels =
          map(m.get("Deployment", name), "spec", "template", "metadata", "labels");
      assertThat(podLabels).containsAllEntriesOf(map(pdb, "spec", "selector", "matchLabels"));
      assertThat(map(pdb, "spec", "selector", "matchLabels"))
          .containsEntry("app.kubernetes.io/component", name.substring("trynow-".length()));
    }
  }

  @Test
  void productionReplicasBudgetsAndGatewayAutoscaling() {
    assertThat(at(PRODUCTION.get("Deployment", "trynow-pool-service"), "spec", "replicas"))
        .isEqualTo(3);
    assertThat(
            at(PRODUCTION.get("PodDisruptionBudget", "trynow-api-gateway"), "spec", "minAvailable"))
        .isEqualTo(2);
    // The HPA owns the gateway's replica count.
    assertThat(at(PRODUCTION.get("Deployment", "trynow-api-gateway"), "spec", "replicas")).isNull();
    Map<String, Object> hpa = PRODUCTION.get("HorizontalPodAutoscaler", "trynow-api-gateway");
    assertThat(string(hpa, "spec", "scaleTargetRef", "name")).isEqualTo("trynow-api-gateway");
    assertThat(at(hpa, "spec", "minReplicas")).isEqualTo(3);
    assertThat(at(hpa, "spec", "maxReplicas")).isEqualTo(12);
    assertThat(DEFAULTS.ofKind("HorizontalPodAutoscaler")).isEmpty();
  }

  /** Least privilege: the Docker socket is mounted only where it is needed. */
  @Test
  void onlyProvisionerAndCleanupWorkersGetTheDockerHost() {
    Manifests socket =
        HelmChart.renderWith(
            Map.of("docker.hostSocket.enabled", true, "docker.hostSocket.gid", 998));
    for (Manifests m : List.of(PRODUCTION, socket)) {
      for (String service : SERVICES) {
        boolean docker = service.equals("provisioner-worker") || service.equals("cleanup-worker");
        Map<String, Object> c = container(m, service);
        Map<String, Object> pod = podSpec(m, service);
        assertThat(envNames(c).contains("DOCKER_HOST")).as(service).isEqualTo(docker);
        boolean dockerVolume =
            maps(pod, "volumes").stream()
                .anyMatch(v -> at(v, "hostPath") != null || "docker-tls".equals(v.get("name")));
        assertThat(dockerVolume).as(service).isEqualTo(docker);
      }
    }
    assertThat(envValue(container(PRODUCTION, "provisioner-worker"), "DOCKER_HOST"))
        .isEqualTo("tcp://docker-1.internal.example.org:2376");
    assertThat(envValue(container(PRODUCTION, "cleanup-worker"), "DOCKER_TLS_VERIFY"))
        .isEqualTo("1");
    assertThat(envValue(container(PRODUCTION, "cleanup-worker"), "DOCKER_CERT_PATH"))
        .isEqualTo("/etc/trynow/docker-tls");
    // docker-java expects ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH.
    Map<String, Object> tls =
        maps(podSpec(PRODUCTION, "provisioner-worker"), "volumes").stream()
            .filter(v -> "docker-tls".equals(v.get("name")))
            .findFirst()
            .orElseThrow();
    assertThat(maps(tls, "secret", "items").stream().map(i -> i.get("path")))
        .containsExactlyInAnyOrder("ca.pem", "cert.pem", "key.pem");
    assertThat(envValue(container(socket, "cleanup-worker"), "DOCKER_HOST"))
        .isEqualTo("unix:///var/run/docker.sock");
    assertThat(list(podSpec(socket, "cleanup-worker"), "securityContext", "supplementalGroups"))
        .containsExactly(998);
    assertThat(envNames(container(DEFAULTS, "provisioner-worker"))).doesNotContain("DOCKER_HOST");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valueSets")
  void onlyProxySyncMayReachCaddysAdminApi(String name, Manifests m) {
    Map<String, String> caddyLabels = podLabels(m, "trynow-caddy");
    Map<String, String> proxySyncLabels = podLabels(m, "trynow-proxy-sync");
    List<Map<String, Object>> caddyRules = new ArrayList<>();
    boolean denyAll = false;
    for (Map<String, Object> np : m.ofKind("NetworkPolicy")) {
      // Policies that do not select caddy, or only govern egress, say nothing about who reaches it.
      if (!selects(map(np, "spec", "podSelector"), caddyLabels)
          || !list(np, "spec", "policyTypes").contains("Ingress")) {
        continue;
      }
      List<Map<String, Object>> rules = maps(np, "spec", "ingress");
      denyAll |= rules.isEmpty();
      caddyRules.addAll(rules);
    }
    assertThat(denyAll).as("a default-deny policy selects caddy").isTrue();
    List<Map<String, Object>> adminRules =
        caddyRules.stream()
            .filter(r -> maps(r, "ports").stream().anyMatch(p -> "admin".equals(p.get("port"))))
            .toList();
    assertThat(adminRules).hasSize(1);
    List<Map<String, Object>> from = maps(adminRules.get(0), "from");
    assertThat(from).hasSize(1);
    assertThat(from.get(0)).containsOnlyKeys("podSelector");
    Map<String, Object> selector = map(from.get(0), "podSelector");
    assertThat(selects(selector, proxySyncLabels)).isTrue();
    for (String service : SERVICES) {
      if (!service.equals("proxy-sync")) {
        assertThat(selects(selector, podLabels(m, "trynow-" + service))).as(service).isFalse();
      }
    }
    // No other rule opens every port of caddy, and the admin port is named, not a number.
    assertThat(caddyRules).allMatch(r -> !maps(r, "ports").isEmpty());
    assertThat(caddyRules)
        .noneMatch(r ->
            maps(r, "ports").stream().anyMatch(p -> Integer.valueOf(2019).equals(p.get("port"))));
    assertThat(list(m.get("Deployment", "trynow-caddy"), "spec", "template", "spec", "containers"))
        .hasSize(1);
    // And only proxy-sync is told where the admin API is.
    for (String service : SERVICES) {
      assertThat(envNames(container(m, service)).contains("TRYNOW_CADDY_ADMIN_URL"))
          .as(service)
          .isEqualTo(service.equals("proxy-sync"));
    }
    assertThat(envValue(container(m, "proxy-sync"), "TRYNOW_CADDY_ADMIN_URL"))
        .isEqualTo("http://trynow-caddy-admin:2019");
    assertThat(at(m.get("Service", "trynow-caddy-admin"), "spec", "type")).isEqualTo("ClusterIP");
  }

  @Test
  void alertRulesAndTheGrafanaDashboardAreOptionalAndShipTheFiles() {
    assertThat(DEFAULTS.ofKind("PrometheusRule")).isEmpty();
    assertThat(DEFAULTS.find("ConfigMap", "trynow-grafana-dashboard")).isEmpty();

    Map<String, Object> rule = PRODUCTION.get("PrometheusRule", "trynow");
    List<Map<String, Object>> rules = maps(maps(rule, "spec", "groups").get(0), "rules");
    assertThat(rules.stream().map(r -> r.get("alert")))
        .containsExactlyInAnyOrder(
            "TrynowPoolEmptyWithVisitorsQueued",
            "TrynowDeadLettersGrowing",
            "TrynowProvisionFailures",
            "TrynowReapLag",
            "TrynowServiceNotReady");
    assertThat(string(rule, "metadata", "labels")).contains("kube-prometheus-stack");

    Map<String, Object> dashboard = PRODUCTION.get("ConfigMap", "trynow-grafana-dashboard");
    assertThat(map(dashboard, "metadata", "labels")).containsEntry("grafana_dashboard", "1");
    // JSON is YAML: the dashboard parses, and every panel queries trynow's metrics
    Map<String, Object> json =
        new org.yaml.snakeyaml.Yaml().load(string(dashboard, "data", "trynow.json"));
    List<Map<String, Object>> panels = maps(json, "panels");
    assertThat(panels).hasSizeGreaterThanOrEqualTo(10);
    for (Map<String, Object> p : panels) {
      assertThat(string(p, "targets")).as(string(p, "title")).contains("trynow_");
    }
  }

  @Test
  void metricsAreScrapableOnlyFromTheConfiguredPeersAndTheServiceMonitorIsOptional() {
    assertThat(DEFAULTS.ofKind("ServiceMonitor")).isEmpty();
    assertThat(DEFAULTS.find("NetworkPolicy", "trynow-metrics")).isEmpty();

    Map<String, Object> monitor = PRODUCTION.get("ServiceMonitor", "trynow");
    assertThat(string(monitor, "spec", "endpoints")).contains("/q/metrics");
    Map<String, Object> selector = map(monitor, "spec", "selector", "matchLabels");
    List<Map<String, Object>> scraped =
        PRODUCTION.ofKind("Service").stream()
            .filter(s -> map(s, "metadata", "labels").entrySet().containsAll(selector.entrySet()))
            .toList();
    assertThat(scraped.stream().map(s -> string(s, "metadata", "name")))
        .containsExactlyInAnyOrderElementsOf(
            SERVICES.stream()
                .map(s -> "trynow-" + s + (s.equals("api-gateway") ? "-management" : ""))
                .toList());
    Map<String, Object> metricsPolicy = PRODUCTION.get("NetworkPolicy", "trynow-metrics");
    assertThat(string(metricsPolicy, "spec", "ingress")).contains("monitoring");
    for (String service : SERVICES) {
      assertThat(
              selects(
                  map(metricsPolicy, "spec", "podSelector"),
                  podLabels(PRODUCTION, "trynow-" + service)))
          .isTrue();
    }
    assertThat(
            selects(
                map(metricsPolicy, "spec", "podSelector"), podLabels(PRODUCTION, "trynow-caddy")))
        .isFalse();
  }

  @Test
  void templatesComeFromOneConfigMapThatEveryServiceReadsAndThatRollsThePods() {
    String properties =
        string(PRODUCTION.get("ConfigMap", "trynow-config"), "data", "templates.properties");
    assertThat(properties)
        .contains(
            "trynow.templates.shop.image=registry.example.org/acme/shop-demo:2.4.1",
            "trynow.templates.shop.health-path=/healthz",
            "trynow.templates.shop.min-ready=5",
            "trynow.templates.shop.max-in-flight=6",
            "trynow.templates.shop.max-lifetime=3h",
            "trynow.templates.shop.cpus=1\n",
            "trynow.templates.shop.pids-limit=256",
            "trynow.templates.shop.network-mode=bridge",
            "trynow.templates.shop.runtime=runsc",
            "trynow.templates.shop.env.SHOP_MODE=demo",
            "trynow.templates.docs.image=registry.example.org/acme/docs-sandbox@sha256:");
    for (String service : SERVICES) {
      assertThat(envValue(container(PRODUCTION, service), "QUARKUS_CONFIG_LOCATIONS"))
          .isEqualTo(
              "file:/etc/trynow/config/templates.properties,file:/etc/trynow/config/settings.properties");
      Map<String, Object> mount =
          maps(container(PRODUCTION, service), "volumeMounts").stream()
              .filter(v -> "config".equals(v.get("name")))
              .findFirst()
              .orElseThrow();
      assertThat(mount).containsEntry("mountPath", "/etc/trynow/config");
      assertThat(
              maps(podSpec(PRODUCTION, service), "volumes").stream()
                  .filter(v -> "config".equals(v.get("name")))
                  .map(v -> string(v, "configMap", "name")))
          .containsExactly("trynow-config");
    }
    // Changing a template changes the checksum annotation, so every Deployment rolls.
    Manifests changed =
        HelmChart.renderWith(
            Map.of("templates.shop.image", "registry.example.org/acme/shop-demo:2.4.2"),
            Repo.productionValues());
    for (String service : SERVICES) {
      assertThat(checksum(changed, service)).isNotEqualTo(checksum(PRODUCTION, service));
    }
  }

  @Test
  void everyFileASettingPointsAtIsMountedAndValkeyTlsIsANamedConfiguration() {
    for (String service : SERVICES) {
      Map<String, Object> c = container(PRODUCTION, service);
      Set<String> mounts = new HashSet<>();
      maps(c, "volumeMounts").forEach(v -> mounts.add(string(v, "mountPath")));
      for (Map<String, Object> e : maps(c, "env")) {
        String value = string(e, "value");
        if (value != null && value.contains("/etc/trynow/")) {
          for (String path : value.split(",")) {
            assertThat(mounts)
                .as(service + " " + string(e, "name"))
                .anyMatch(path.replace("file:", "")::startsWith);
          }
        }
      }
    }
    // Valkey TLS is a named Quarkus TLS configuration: only a properties file can name it.
    String settings =
        string(PRODUCTION.get("ConfigMap", "trynow-config"), "data", "settings.properties");
    assertThat(settings)
        .contains(
            "quarkus.redis.tls-configuration-name=valkey",
            "quarkus.tls.valkey.trust-store.pem.certs=/etc/trynow/valkey-tls/ca.crt",
            "quarkus.tls.valkey.hostname-verification-algorithm=HTTPS",
            "quarkus.tls.valkey.key-store.pem.client.cert=/etc/trynow/valkey-tls/tls.crt",
            "quarkus.tls.valkey.key-store.pem.client.key=/etc/trynow/valkey-tls/tls.key");
    Manifests serverTlsOnly =
        HelmChart.renderWith(Map.of("valkey.tls.clientCert", false), Repo.productionValues());
    assertThat(
            string(serverTlsOnly.get("ConfigMap", "trynow-config"), "data", "settings.properties"))
        .contains("quarkus.tls.valkey.trust-store.pem.certs")
        .doesNotContain("key-store");
    assertThat(string(DEFAULTS.get("ConfigMap", "trynow-config"), "data", "settings.properties"))
        .doesNotContain("quarkus.");
    Manifests fromSecret =
        HelmChart.renderWith(
            Map.of("nats.urlSecret.name", "nats-url", "valkey.urlSecret.name", "valkey-url"));
    Map<String, Object> pool = container(fromSecret, "pool-service");
    assertThat(envSecret(pool, "TRYNOW_NATS_URL")).containsExactly("nats-url", "url");
    assertThat(envSecret(pool, "TRYNOW_VALKEY_URL")).containsExactly("valkey-url", "url");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valueSets")
  void eachServiceListensOnItsPortOnAllInterfaces(String name, Manifests m) {
    Map<String, Integer> ports =
        Map.of(
            "api-gateway",
            8080,
            "pool-service",
            8081,
            "provisioner-worker",
            8082,
            "proxy-sync",
            8083,
            "cleanup-worker",
            8084);
    ports.forEach((service, port) -> {
      Map<String, Object> c = container(m, service);
      assertThat(at(maps(c, "ports").get(0), "containerPort")).isEqualTo(port);
      assertThat(envValue(c, "TRYNOW_HTTP_PORT")).isEqualTo(port.toString());
      assertThat(envValue(c, "TRYNOW_HTTP_HOST")).isEqualTo("0.0.0.0");
    });
  }

  /** No placeholder strings are shipped as configuration. */
  /** The value sets whose rendered settings must all be read: every optional branch on. */
  static Stream<Arguments> settingSets() {
    return Stream.of(
        Arguments.of("defaults", DEFAULTS),
        Arguments.of("production", PRODUCTION),
        Arguments.of(
            "nkey, URLs from Secrets, proxies, base URL",
            HelmChart.renderWith(
                Map.of(
                    "nats.nkey.existingSecret", "nats-nkey",
                    "nats.urlSecret.name", "nats-url",
                    "valkey.urlSecret.name", "valkey-url",
                    "gateway.trustedProxies[0]", "10.0.0.0/8",
                    "gateway.publicBaseUrl", "https://try.example.org"))),
        Arguments.of("NATS user, Valkey ACL user and Sentinel, gatewayFrom", CREDENTIALS),
        Arguments.of(
            "NATS token", HelmChart.renderWith(Map.of("nats.token.existingSecret", "nats-token"))),
        Arguments.of(
            "host socket", HelmChart.renderWith(Map.of("docker.hostSocket.enabled", true))));
  }

  /** NATS user/password, a Valkey ACL user behind Sentinel, and a restricted gateway. */
  static final Manifests CREDENTIALS =
      HelmChart.renderWith(
          Map.of(
              "nats.user", "trynow",
              "nats.password.existingSecret", "nats-password",
              "valkey.user", "trynow",
              "valkey.password.existingSecret", "valkey-password",
              "valkey.url", "redis://sentinel-0:26379,redis://sentinel-1:26379",
              "valkey.sentinel.enabled", true,
              "valkey.sentinel.masterName", "primary",
              "valkey.waitReplicas", 1,
              "networkPolicy.gatewayFrom[0].ipBlock.cidr", "10.0.0.0/8"));

  @Test
  void credentialValuesBecomeTheSettingsEveryServiceReads() {
    for (String service : SERVICES) {
      Map<String, Object> c = container(CREDENTIALS, service);
      assertThat(envValue(c, "TRYNOW_NATS_USER")).isEqualTo("trynow");
      assertThat(envValue(c, "TRYNOW_VALKEY_USER")).isEqualTo("trynow");
      assertThat(envValue(c, "QUARKUS_REDIS_CLIENT_TYPE")).isEqualTo("sentinel");
      assertThat(envValue(c, "QUARKUS_REDIS_MASTER_NAME")).isEqualTo("primary");
      assertThat(envValue(c, "TRYNOW_VALKEY_WAIT_REPLICAS")).isEqualTo("1");
      assertThat(envValue(c, "TRYNOW_VALKEY_URL"))
          .isEqualTo("redis://sentinel-0:26379,redis://sentinel-1:26379");
    }
    assertThat(secretReferences(CREDENTIALS))
        .anySatisfy(r -> assertThat(r).containsExactly("nats-password", "password"))
        .anySatisfy(r -> assertThat(r).containsExactly("valkey-password", "password"));
  }

  @Test
  void caddyFetchesTheDemoHostPagesFromTheGatewaysPublicService() {
    for (Manifests m : List.of(DEFAULTS, CREDENTIALS)) {
      assertThat(envValue(container(m, "proxy-sync"), "TRYNOW_CADDY_PAGES_UPSTREAM"))
          .isEqualTo("trynow-api-gateway:80");
    }
    // With the gateway restricted to gatewayFrom, Caddy's pods are let in beside them.
    Map<String, Object> policy = CREDENTIALS.get("NetworkPolicy", "trynow-api-gateway");
    assertThat(maps(policy, "spec", "ingress"))
        .anySatisfy(rule ->
            assertThat(maps(rule, "from"))
                .anySatisfy(from ->
                    assertThat(
                            at(from, "podSelector", "matchLabels", "app.kubernetes.io/component"))
                        .isEqualTo("caddy")));
  }

  /**
   * A {@code TRYNOW_*} setting the chart renders (or the image sets) that no service reads is a
   * promise nobody keeps (the issue: the chart set TRYNOW_NATS_CREDS_FILE, which nothing read).
   * What is read comes from the services' {@code @ConfigMapping} interfaces and their {@code
   * ${TRYNOW_…}} expressions ({@link ConfigKeys}).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("settingSets")
  void everyRenderedTrynowSettingIsReadBySomeService(String name, Manifests m) throws Exception {
    Set<String> rendered = new java.util.TreeSet<>();
    for (String service : SERVICES) {
      rendered.addAll(envNames(container(m, service)));
    }
    rendered.addAll(Dockerfile.parse(Repo.dockerfile()).env().keySet());
    rendered.removeIf(n -> !n.startsWith("TRYNOW_"));
    assertThat(rendered).isNotEmpty();
    assertThat(rendered.stream().filter(n -> !CONFIG_KEYS.read(n)).toList())
        .as("rendered TRYNOW_* settings that no service reads")
        .isEmpty();
  }

  @Test
  void theSettingsCheckKnowsTheMappingsAndCanFail() {
    assertThat(CONFIG_KEYS.mappings())
        .contains(
            "io.trynow.platform.nats.NatsConfig",
            "io.trynow.platform.template.TemplatesConfig",
            "io.trynow.gateway.config.GatewayConfig");
    assertThat(CONFIG_KEYS.properties())
        .contains(
            "trynow.nats.tls.ca-file",
            "trynow.gateway.ticket-secret-file",
            "trynow.templates.*.min-ready");
    assertThat(CONFIG_KEYS.read("TRYNOW_NATS_TLS_CA_FILE")).isTrue();
    assertThat(CONFIG_KEYS.read("TRYNOW_TEMPLATES_SHOP_MIN_READY")).isTrue();
    assertThat(CONFIG_KEYS.read("TRYNOW_HTTP_HOST")).isTrue(); // ${TRYNOW_HTTP_HOST:…}
    assertThat(CONFIG_KEYS.read("TRYNOW_NATS_CREDS")).isFalse();
    assertThat(CONFIG_KEYS.read("TRYNOW_GATEWAY_MAX_LIVE")).isFalse();
  }

  /** Every rendered object deserializes strictly into its Kubernetes API type. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("settingSets")
  void everyRenderedObjectIsAValidKubernetesObject(String name, Manifests m) {
    List<String> problems = new ArrayList<>();
    for (Map<String, Object> doc : m.docs()) {
      problems.addAll(KubeSchema.problems(doc));
    }
    assertThat(m.docs()).hasSizeGreaterThan(10);
    assertThat(problems).isEmpty();
  }

  @Test
  void theSchemaCheckRejectsUnknownFieldsAndWrongTypes() {
    Map<String, Object> deployment =
        new org.yaml.snakeyaml.Yaml()
            .load(
                """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  replicas: 1
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: x
                          image: x:1
                          securityContext: {readOnlyRootFilesytem: true}
                """);
    assertThat(KubeSchema.problems(deployment))
        .singleElement()
        .asString()
        .contains("readOnlyRootFilesytem");
    Map<String, Object> wrongType =
        new org.yaml.snakeyaml.Yaml()
            .load("apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: 80}\n");
    assertThat(KubeSchema.problems(wrongType)).isNotEmpty();
    Map<String, Object> wrongVersion =
        new org.yaml.snakeyaml.Yaml()
            .load("apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: x}\n");
    assertThat(KubeSchema.problems(wrongVersion)).isNotEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valueSets")
  void noPlaceholdersInTheRenderedManifests(String name, Manifests m) {
    assertThat(m.text().toUpperCase())
        .doesNotContain(
            "REPLACE_", "REPLACE-ME", "CHANGEME", "CHANGE_ME", "TODO", "FIXME", "<NIL>");
  }

  // ------------------------------------------------------------------ helpers

  static Map<String, Object> podSpec(Manifests m, String service) {
    return map(m.get("Deployment", "trynow-" + service), "spec", "template", "spec");
  }

  static Map<String, Object> container(Manifests m, String service) {
    return maps(podSpec(m, service), "containers").get(0);
  }

  static Map<String, String> podLabels(Manifests m, String deployment) {
    Map<String, String> labels = new HashMap<>();
    map(m.get("Deployment", deployment), "spec", "template", "metadata", "labels")
        .forEach((k, v) -> labels.put(k, String.valueOf(v)));
    return labels;
  }

  static String checksum(Manifests m, String service) {
    return string(
        m.get("Deployment", "trynow-" + service),
        "spec",
        "template",
        "metadata",
        "annotations",
        "checksum/config");
  }

  /** A podSelector with matchLabels and In-expressions, applied to a label set. */
  static boolean selects(Map<String, Object> selector, Map<String, String> labels) {
    for (Map.Entry<String, Object> e : map(selector, "matchLabels").entrySet()) {
      if (!String.valueOf(e.getValue()).equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    for (Map<String, Object> expr : maps(selector, "matchExpressions")) {
      assertThat(expr.get("operator")).isEqualTo("In");
      if (!list(expr, "values").contains(labels.get(string(expr, "key")))) {
        return false;
      }
    }
    return true;
  }

  static List<String> envNames(Map<String, Object> container) {
    return maps(container, "env").stream().map(e -> string(e, "name")).toList();
  }

  static String envValue(Map<String, Object> container, String name) {
    return maps(container, "env").stream()
        .filter(e -> name.equals(e.get("name")))
        .map(e -> string(e, "value"))
        .findFirst()
        .orElse(null);
  }

  static List<String> envSecret(Map<String, Object> container, String name) {
    return maps(container, "env").stream()
        .filter(e -> name.equals(e.get("name")))
        .map(e ->
            List.of(
                string(e, "valueFrom", "secretKeyRef", "name"),
                string(e, "valueFrom", "secretKeyRef", "key")))
        .findFirst()
        .orElse(List.of());
  }

  /** Every Secret a workload refers to: {name, key or null}. */
  static List<String[]> secretReferences(Manifests m) {
    List<String[]> refs = new ArrayList<>();
    for (Map<String, Object> spec : m.podSpecs()) {
      for (Map<String, Object> c : maps(spec, "containers")) {
        for (Map<String, Object> e : maps(c, "env")) {
          if (at(e, "valueFrom", "secretKeyRef") != null) {
            refs.add(
                new String[] {
                  string(e, "valueFrom", "secretKeyRef", "name"),
                  string(e, "valueFrom", "secretKeyRef", "key")
                });
          }
        }
      }
      for (Map<String, Object> v : maps(spec, "volumes")) {
        if (at(v, "secret") != null) {
          String secret = string(v, "secret", "secretName");
          List<Map<String, Object>> items = maps(v, "secret", "items");
          if (items.isEmpty()) {
            refs.add(new String[] {secret, null});
          }
          items.forEach(i -> refs.add(new String[] {secret, string(i, "key")}));
        }
      }
      for (Map<String, Object> s : maps(spec, "imagePullSecrets")) {
        refs.add(new String[] {string(s, "name"), null});
      }
    }
    return refs;
  }

  static Map<String, Set<String>> renderedSecretKeys(Manifests m) {
    Map<String, Set<String>> out = new HashMap<>();
    for (Map<String, Object> s : m.ofKind("Secret")) {
      Set<String> keys = new HashSet<>(map(s, "stringData").keySet());
      keys.addAll(map(s, "data").keySet());
      out.put(string(s, "metadata", "name"), keys);
    }
    return out;
  }
}
