package io.trynow.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cluster Helm's {@code lookup} sees while the tests render the chart: a stand-in for the
 * Kubernetes API on loopback that answers the discovery of {@code v1} and {@code GET} of a Secret
 * by namespace and name (404 unless a test put one there). {@code helm template} would answer every
 * lookup with nothing; the Helm library that helm-java bundles asks the cluster of {@code
 * KUBECONFIG} instead, so the deploy module's surefire sets {@code KUBECONFIG} to a file this class
 * writes before the first render. It also lets a test play an upgrade: the Secret of the first
 * install is there when the chart renders again.
 */
final class HelmCluster {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SECRET =
      Pattern.compile("/api/v1/namespaces/([a-z0-9.-]+)/secrets/([a-z0-9.-]+)");
  private static final Map<String, Map<String, String>> SECRETS = new ConcurrentHashMap<>();
  private static HttpServer server;

  private HelmCluster() {}

  /** Starts the stand-in once per JVM and points {@code KUBECONFIG} at it. */
  static synchronized void ensureStarted() {
    if (server != null) {
      return;
    }
    String kubeconfig = System.getenv("KUBECONFIG");
    if (kubeconfig == null || kubeconfig.isBlank()) {
      throw new IllegalStateException(
          "KUBECONFIG is not set: the deploy module's surefire configuration sets it, so that the"
              + " chart's lookup never reaches a real cluster");
    }
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/", HelmCluster::handle);
      server.start();
      Path file = Path.of(kubeconfig);
      Files.createDirectories(file.getParent());
      Files.writeString(
          file,
          """
          apiVersion: v1
          kind: Config
          clusters:
            - name: stand-in
              cluster: {server: "http://127.0.0.1:%d"}
          users:
            - name: stand-in
              user: {}
          contexts:
            - name: stand-in
              context: {cluster: stand-in, user: stand-in}
          current-context: stand-in
          """
              .formatted(server.getAddress().getPort()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Puts a Secret (string data) into the stand-in cluster, as a first install would have. */
  static void putSecret(String namespace, String name, Map<String, String> data) {
    SECRETS.put(namespace + "/" + name, Map.copyOf(data));
  }

  static void removeSecret(String namespace, String name) {
    SECRETS.remove(namespace + "/" + name);
  }

  private static void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    Matcher m = SECRET.matcher(path);
    if (path.equals("/api/v1")) {
      send(
          ex,
          200,
          Map.of(
              "kind", "APIResourceList",
              "apiVersion", "v1",
              "groupVersion", "v1",
              "resources",
                  List.of(
                      Map.of(
                          "name", "secrets",
                          "singularName", "secret",
                          "namespaced", true,
                          "kind", "Secret",
                          "verbs", List.of("get", "list")))));
    } else if (m.matches() && SECRETS.containsKey(m.group(1) + "/" + m.group(2))) {
      Map<String, String> data = new java.util.TreeMap<>();
      SECRETS
          .get(m.group(1) + "/" + m.group(2))
          .forEach((k, v) ->
              data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
      send(
          ex,
          200,
          Map.of(
              "kind", "Secret",
              "apiVersion", "v1",
              "metadata", Map.of("name", m.group(2), "namespace", m.group(1)),
              "type", "Opaque",
              "data", data));
    } else {
      send(
          ex,
          404,
          Map.of(
              "kind", "Status",
              "apiVersion", "v1",
              "status", "Failure",
              "reason", "NotFound",
              "code", 404,
              "message", path + " not found"));
    }
  }

  private static void send(HttpExchange ex, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (var out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
