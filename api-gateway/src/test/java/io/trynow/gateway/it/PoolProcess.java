package io.trynow.gateway.it;

import io.trynow.testsupport.FreePorts;
import io.trynow.testsupport.RealServers;
import io.trynow.testsupport.SampleImage;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * pool-service as a separate process (its built {@code quarkus-run.jar}) against the test's real
 * NATS and Valkey, with the same key prefix: the gateway tests exercise the real two-service path.
 */
public final class PoolProcess implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path log;

  private PoolProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts pool-service and waits until it is ready. */
  public static PoolProcess start(RealServers servers, String prefix, Map<String, String> config) {
    Path jar = Path.of("..", "pool-service", "target", "quarkus-app", "quarkus-run.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar.toAbsolutePath() + " is missing: build pool-service first (it is a test dependency)");
    }
    int port = FreePorts.one();
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Xmx256m");
    cmd.add("-Dquarkus.http.port=" + port);
    cmd.add("-Dquarkus.http.host=127.0.0.1");
    cmd.add("-Dquarkus.redis.hosts=" + servers.valkey().url());
    cmd.add("-Dtrynow.nats.url=" + servers.nats().url());
    cmd.add("-Dtrynow.valkey.prefix=" + prefix);
    config.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add("-jar");
    cmd.add(jar.toString());
    try {
      Path log = Files.createTempFile(Path.of("target"), "pool-service-" + prefix + "-", ".log");
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.redirectOutput(log.toFile());
      pb.environment().put("HOME", Files.createTempDirectory("pool-home").toString());
      pb.environment().put(SampleImage.CONFIG_LOCATIONS, SampleImage.templateFile().toString());
      PoolProcess p = new PoolProcess(pb.start(), port, log);
      p.awaitReady();
      return p;
    } catch (IOException e) {
      throw new IllegalStateException("could not start pool-service", e);
    }
  }

  private void awaitReady() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    Awaitility.await("pool-service ready (log: " + log + ")")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> {
          if (!process.isAlive()) {
            throw new IllegalStateException(
                "pool-service exited with " + process.exitValue() + ": " + tail());
          }
          try {
            HttpResponse<String> r =
                http.send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
          } catch (IOException e) {
            return false;
          }
        });
  }

  public int port() {
    return port;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The last lines of its log. */
  public String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  public File logFile() {
    return log.toFile();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
