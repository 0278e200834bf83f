package io.trynow.bench;

import io.trynow.testsupport.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A worker service started from its Quarkus build, logging to a file; stopped on close. */
final class WorkerProcess implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(java.time.Duration.ofMillis(500)).build();

  private final Process process;
  private final String name;

  private WorkerProcess(Process process, String name) {
    this.process = process;
    this.name = name;
  }

  static void ensureBuilt(Path root) throws Exception {
    List<String> stale = BenchServices.stale(root, List.of("provisioner-worker", "cleanup-worker"));
    if (!stale.isEmpty()) {
      BenchServices.mavenPackage(root, stale);
    }
  }

  static WorkerProcess start(Path root, String module, Map<String, String> env, Path work)
      throws Exception {
    int httpPort = FreePorts.one();
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb =
        new ProcessBuilder(
                java,
                "-jar",
                root.resolve(module + "/target/quarkus-app/quarkus-run.jar").toString())
            .redirectErrorStream(true)
            .redirectOutput(work.resolve(module + ".log").toFile());
    pb.environment().putAll(env);
    pb.environment().put("TRYNOW_HTTP_PORT", String.valueOf(httpPort));
    pb.environment().put("HOME", work.toString());
    WorkerProcess w = new WorkerProcess(pb.start(), module);
    URI ready = URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try {
        if (HTTP.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return w;
        }
      } catch (IOException e) {
        // starting
      }
      if (!w.process.isAlive()) {
        break;
      }
      Thread.sleep(100);
    }
    w.close();
    throw new IllegalStateException(module + " did not become ready; see " + work);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      System.err.println(name + " did not stop in 20 s; killing it");
      process.destroyForcibly().waitFor();
    }
  }
}
