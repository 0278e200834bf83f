package io.trynow.deploy;

import static io.trynow.deploy.Tree.map;
import static io.trynow.deploy.Tree.maps;
import static io.trynow.deploy.Tree.string;

import io.trynow.testsupport.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * One rendered Deployment run as its service's built jar, with exactly the environment the pod
 * would get: the container's {@code env} (values, {@code secretKeyRef}s resolved from the Secrets),
 * the image's own {@code ENV}, and every volume (ConfigMap, Secret with its items, emptyDir)
 * written to a directory that stands for its mount path. Three translations, and only these: a
 * mount path becomes that directory (in env values and in mounted config files), a cluster DNS name
 * becomes the loopback address the harness' server listens on ({@code addresses}), and listeners
 * bind loopback: the HTTP listener is {@code 127.0.0.1:<free port>} instead of {@code
 * 0.0.0.0:<container port>}, and {@code listeners} replaces the other listen settings (this machine
 * allows loopback only, and many stacks share it).
 */
final class RenderedPod implements AutoCloseable {

  /**
   * HTTP/1.1: the JDK's default h2c upgrade, proxied by Caddy to the gateway's pages, hangs (and
   * the management port refuses it); browsers never ask for h2c.
   */
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private final String service;
  private final Map<String, String> env;
  private final Path root;
  private final int port;
  private final int probePort;
  private Process process;

  /**
   * @param secrets Secret name → key → value: the Secrets the cluster holds (rendered or the
   *     operator's)
   * @param addresses cluster name ({@code host} or {@code host:port}) → loopback address
   */
  RenderedPod(
      Manifests m,
      String service,
      Map<String, String> imageEnv,
      Map<String, Map<String, String>> secrets,
      Map<String, String> addresses,
      Map<String, String> listeners) {
    this.service = service;
    this.port = FreePorts.one();
    Map<String, Object> deployment = m.get("Deployment", "trynow-" + service);
    Map<String, Object> spec = map(deployment, "spec", "template", "spec");
    Map<String, Object> container = maps(spec, "containers").get(0);
    try {
      this.root = Files.createTempDirectory("trynow-pod-" + service + "-");
      Map<String, Path> mounts = mountVolumes(m, spec, container, secrets);
      Map<String, String> e = new LinkedHashMap<>(imageEnv);
      for (Map<String, Object> var : maps(container, "env")) {
        String name = string(var, "name");
        String value;
        if (var.containsKey("value")) {
          value = string(var, "value");
        } else {
          Map<String, Object> ref = map(var, "valueFrom", "secretKeyRef");
          value = secretValue(secrets, string(ref, "name"), string(ref, "key"));
        }
        e.put(name, translate(value, mounts, addresses));
      }
      e.put("TRYNOW_HTTP_HOST", "127.0.0.1");
      // The readiness probe asks the port the Deployment names, as the kubelet would: api-gateway's
      // is its management interface (TRYNOW_MANAGEMENT_PORT), which then gets a free port too.
      int probed = probedContainerPort(container);
      if (String.valueOf(probed).equals(e.get("TRYNOW_MANAGEMENT_PORT"))) {
        int management = FreePorts.one();
        e.put("TRYNOW_MANAGEMENT_HOST", "127.0.0.1");
        e.put("TRYNOW_MANAGEMENT_PORT", String.valueOf(management));
        this.probePort = management;
      } else if (String.valueOf(probed).equals(e.get("TRYNOW_HTTP_PORT"))) {
        this.probePort = port;
      } else {
        throw new IllegalStateException(
            service + "'s readiness probe asks port " + probed + ", which no listener setting has");
      }
      e.put("TRYNOW_HTTP_PORT", String.valueOf(port));
      listeners.forEach((k, v) -> {
        if (e.containsKey(k)) {
          e.put(k, v);
        }
      });
      // Config files in the mounts refer to other mounts (settings.properties → TLS files).
      for (Path dir : mounts.values()) {
        try (var files = Files.list(dir)) {
          for (Path f : files.filter(f -> f.toString().endsWith(".properties")).toList()) {
            Files.writeString(f, translate(Files.readString(f), mounts, addresses));
          }
        }
      }
      this.env = e;
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  String service() {
    return service;
  }

  /** The environment the process gets (after the translations). */
  Map<String, String> env() {
    return env;
  }

  int port() {
    return port;
  }

  /** The port the Deployment's probes ask: the management port where there is one. */
  int probePort() {
    return probePort;
  }

  Path log() {
    return root.resolve(service + ".log");
  }

  /**
   * Starts {@code <module>/target/quarkus-app/quarkus-run.jar} (checked to be the aot-jar the image
   * copies, {@link AotJar}), as the image's entrypoint.
   */
  RenderedPod start() {
    Path jar = AotJar.app(service).resolve("quarkus-run.jar");
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb =
        new ProcessBuilder(java, "-XX:+UseSerialGC", "-Xmx256m", "-jar", jar.toString())
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log().toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.environment().put("HOME", root.toString());
    pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** {@code GET /q/health/ready}: status code and body. */
  HttpResponse<String> readiness() throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + probePort + "/q/health/ready"))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Waits until the service answers its readiness probe with 200. */
  void awaitReady(Duration timeout) {
    Awaitility.await(service + " ready (log: " + log() + ")")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(300))
        .until(() -> {
          if (!process.isAlive()) {
            throw new IllegalStateException(
                service + " exited with " + process.exitValue() + ": " + tail());
          }
          try {
            return readiness().statusCode() == 200;
          } catch (IOException e) {
            return false;
          }
        });
  }

  String tail() {
    try {
      List<String> lines = Files.readAllLines(log(), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The container port the readiness probe asks (a port's name resolved to its number). */
  private static int probedContainerPort(Map<String, Object> container) {
    Object port = Tree.at(container, "readinessProbe", "httpGet", "port");
    if (port instanceof Number n) {
      return n.intValue();
    }
    for (Map<String, Object> p : maps(container, "ports")) {
      if (String.valueOf(port).equals(string(p, "name"))) {
        return ((Number) p.get("containerPort")).intValue();
      }
    }
    throw new IllegalStateException("readiness probe port " + port + " is not a container port");
  }

  // ---- volumes ---------------------------------------------------------------------------------

  /** Writes every mounted volume to a directory; mount path → directory. */
  private Map<String, Path> mountVolumes(
      Manifests m,
      Map<String, Object> spec,
      Map<String, Object> container,
      Map<String, Map<String, String>> secrets)
      throws IOException {
    Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
    for (Map<String, Object> v : maps(spec, "volumes")) {
      volumes.put(string(v, "name"), v);
    }
    Map<String, Path> mounts = new LinkedHashMap<>();
    for (Map<String, Object> mount : maps(container, "volumeMounts")) {
      String name = string(mount, "name");
      Map<String, Object> volume = volumes.get(name);
      if (volume == null) {
        throw new IllegalStateException(
            service + " mounts volume " + name + ", which is not declared");
      }
      Path dir = Files.createDirectories(root.resolve("mounts").resolve(name));
      if (volume.containsKey("configMap")) {
        Map<String, Object> cm = m.get("ConfigMap", string(volume, "configMap", "name"));
        for (Map.Entry<String, Object> e : map(cm, "data").entrySet()) {
          Files.writeString(dir.resolve(e.getKey()), String.valueOf(e.getValue()));
        }
      } else if (volume.containsKey("secret")) {
        String secret = string(volume, "secret", "secretName");
        List<Map<String, Object>> items = maps(volume, "secret", "items");
        if (items.isEmpty()) {
          Map<String, String> data = secrets.get(secret);
          if (data == null) {
            throw new IllegalStateException(
                service + " mounts Secret " + secret + ", which does not exist");
          }
          for (Map.Entry<String, String> e : data.entrySet()) {
            Files.writeString(dir.resolve(e.getKey()), e.getValue());
          }
        }
        for (Map<String, Object> item : items) {
          Files.writeString(
              dir.resolve(string(item, "path")), secretValue(secrets, secret, string(item, "key")));
        }
      } else if (!volume.containsKey("emptyDir")) {
        throw new IllegalStateException(service + ": volume kind not supported here: " + volume);
      }
      mounts.put(string(mount, "mountPath"), dir);
    }
    return mounts;
  }

  private String secretValue(Map<String, Map<String, String>> secrets, String name, String key) {
    Map<String, String> data = secrets.get(name);
    if (data == null || !data.containsKey(key)) {
      throw new IllegalStateException(
          service + " needs key " + key + " of Secret " + name + ", which does not exist");
    }
    return data.get(key);
  }

  /** The string data of a rendered Secret ({@code stringData} and base64 {@code data}). */
  static Map<String, String> secretData(Map<String, Object> secret) {
    Map<String, String> out = new LinkedHashMap<>();
    map(secret, "stringData").forEach((k, v) -> out.put(k, String.valueOf(v)));
    map(secret, "data")
        .forEach((k, v) ->
            out.put(
                k,
                new String(Base64.getDecoder().decode(String.valueOf(v)), StandardCharsets.UTF_8)));
    return out;
  }

  /** One pass over {@code value}: a replaced part is never replaced again. */
  private static String translate(
      String value, Map<String, Path> mounts, Map<String, String> addresses) {
    Map<String, String> to = new LinkedHashMap<>();
    mounts.forEach((k, v) -> to.put(k, v.toString()));
    to.putAll(addresses);
    List<String> keys = new ArrayList<>(to.keySet());
    keys.sort(Comparator.comparingInt(String::length).reversed());
    StringBuilder alternatives = new StringBuilder();
    for (String k : keys) {
      alternatives.append(alternatives.isEmpty() ? "" : "|").append(Pattern.quote(k));
    }
    Matcher m = Pattern.compile("(" + alternatives + ")(?![A-Za-z0-9_.-])").matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(to.get(m.group(1))));
    }
    m.appendTail(out);
    return out.toString();
  }
}
