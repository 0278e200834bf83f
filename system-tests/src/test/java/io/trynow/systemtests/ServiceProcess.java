package io.trynow.systemtests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One service as an OS process: {@code java -jar <module>/target/quarkus-app/quarkus-run.jar} with
 * the stack's environment and {@code -D} properties, output appended to its log file. Start, stop
 * (SIGTERM), kill (SIGKILL) and start again on the same HTTP port. api-gateway also gets a
 * management port (health, metrics, admin API); the other services answer {@code /q/*} on their
 * HTTP port.
 */
final class ServiceProcess {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

  private final Service service;
  private final Path jar;
  private final int httpPort;
  private final int managementPort;
  private final Path log;
  private final Path home;
  private Process process;

  ServiceProcess(Service service, Path repo, int httpPort, Path logDir) {
    this(service, 0, repo, httpPort, logDir);
  }

  /**
   * Replica {@code replica} (0-based) of the service; replicas after the first log to {@code -N}.
   */
  ServiceProcess(Service service, int replica, Path repo, int httpPort, Path logDir) {
    this.service = service;
    this.jar = repo.resolve(service.module()).resolve("target/quarkus-app/quarkus-run.jar");
    this.httpPort = httpPort;
    // api-gateway answers /q/* (and the admin API) on its management port; the others on httpPort
    this.managementPort =
        service == Service.API_GATEWAY ? io.trynow.testsupport.FreePorts.one() : httpPort;
    String name = replica == 0 ? service.module() : service.module() + "-" + (replica + 1);
    this.log = logDir.resolve(name + ".log");
    this.home = logDir.resolve("home-" + name);
  }

  Service service() {
    return service;
  }

  int httpPort() {
    return httpPort;
  }

  /** Where {@code /q/*} answers: the management port (api-gateway) or the HTTP port. */
  int managementPort() {
    return managementPort;
  }

  Path log() {
    return log;
  }

  synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  synchronized long pid() {
    return process.pid();
  }

  /** Starts the process (no-op when it runs); does not wait for readiness. */
  synchronized void start(Map<String, String> env, Map<String, String> properties) {
    if (isRunning()) {
      return;
    }
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: build the services first (./mvnw -B package -pl system-tests -am)");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xms32m", "-Xmx256m"));
    properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.addAll(List.of("-jar", jar.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    pb.environment().put("TRYNOW_HTTP_PORT", String.valueOf(httpPort));
    pb.environment().put("TRYNOW_MANAGEMENT_PORT", String.valueOf(managementPort));
    pb.environment().put("HOME", home.toString());
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    try {
      Files.createDirectories(home);
      Files.writeString(
          log,
          "==== " + Instant.now() + " start " + service.module() + " " + cmd + "\n",
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + service.module(), e);
    }
  }

  /** Waits until {@code /q/health/ready} answers 200; fails with the log's tail otherwise. */
  void awaitReady(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      Process p;
      synchronized (this) {
        p = process;
      }
      if (p == null || !p.isAlive()) {
        throw new IllegalStateException(
            service.module()
                + " exited ("
                + (p == null ? "never started" : p.exitValue())
                + "):\n"
                + tail(40));
      }
      if (ready()) {
        return;
      }
      sleep(200);
    }
    throw new IllegalStateException(
        service.module() + " not ready within " + timeout + ":\n" + tail(40));
  }

  /** True when the service answers its readiness check with 200. */
  boolean ready() {
    try {
      HttpResponse<Void> r =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** SIGTERM, then wait up to 30 s (SIGKILL after that). */
  synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    waitFor(Duration.ofSeconds(30));
  }

  /** SIGKILL: no shutdown hook, no drain, no ack. */
  synchronized void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    waitFor(Duration.ofSeconds(10));
  }

  private void waitFor(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The last {@code lines} lines of the log. */
  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log at " + log + ")";
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
