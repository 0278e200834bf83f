package io.trynow.bench;

import io.trynow.testsupport.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The services a benchmark runs as processes from their built jars: start, readiness, stop, CPU
 * time, their own latency quantiles from /q/metrics, and the build before.
 */
final class BenchServices {

  private BenchServices() {}

  /** api-gateway's management port (health, metrics) by its public port; the others have none. */
  static final java.util.Map<Integer, Integer> MANAGEMENT =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Where a service answers {@code /q/*}: the gateway's management port, else its port. */
  static int q(int port) {
    return MANAGEMENT.getOrDefault(port, port);
  }

  /** A pool-service process (its per-IP cap comes in each acquire message, from the gateway). */
  static Process pool(Path jar, int port, List<String> common, String name) throws IOException {
    return service(jar, port, common, List.of(), name);
  }

  /** An api-gateway process: no rate limit or live cap in the way. */
  static Process gateway(Path jar, int port, List<String> common, String name) throws IOException {
    return service(
        jar,
        port,
        common,
        List.of(
            "-Dtrynow.gateway.acquires-per-hour=100000000",
            "-Dtrynow.gateway.acquires-per-day=100000000",
            "-Dtrynow.gateway.reply-wait=5s",
            // no per-IP cap on either path (all load comes from one address)
            "-Dtrynow.gateway.max-live-per-ip=0",
            // production refuses to start without one; replicas share it (tickets are checked
            // by whichever replica a visitor reaches)
            "-Dtrynow.gateway.ticket-secret=" + AcquireBench.TICKET_SECRET),
        name);
  }

  static Process service(Path jar, int port, List<String> common, List<String> own, String name)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    if (name.startsWith("api-gateway")) {
      int management = FreePorts.one();
      MANAGEMENT.put(port, management);
    }
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    if (MANAGEMENT.containsKey(port)) {
      cmd.add("-Dquarkus.management.port=" + MANAGEMENT.get(port));
    }
    // what ./trynow up runs the service with: the bench measures what ships (a larger young
    // generation of its own once made the bench's GC tail, not the services')
    cmd.addAll(jvmOptions("local"));
    cmd.addAll(jvmOptions(name.replaceFirst("-\\d+$", "")));
    String extra = System.getenv("TRYNOW_BENCH_JVM_OPTS");
    if (extra != null && !extra.isBlank()) {
      cmd.addAll(List.of(extra.strip().split("\\s+")));
    }
    String jfr = System.getenv("TRYNOW_BENCH_JFR");
    if (jfr != null) {
      // TRYNOW_BENCH_JFR=DIR: a JFR recording per service, for "where does the time go".
      cmd.add("-XX:StartFlightRecording=filename=" + jfr + "/" + name + ".jfr,settings=profile");
    }
    cmd.add("-Dquarkus.http.port=" + port);
    cmd.add("-Dquarkus.http.host=127.0.0.1");
    cmd.addAll(common);
    cmd.addAll(own);
    cmd.add("-jar");
    cmd.add(jar.toString());
    Path log = Files.createTempFile("bench-" + name + "-", ".log");
    System.out.println(name + " log: " + log);
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /**
   * One line of {@code deploy/jvm-options.properties} (the one place the services' JVM options are
   * written), split into options; none for a name it does not list.
   */
  static List<String> jvmOptions(String key) throws IOException {
    java.util.Properties p = new java.util.Properties();
    try (var in = Files.newBufferedReader(Path.of("deploy/jvm-options.properties"))) {
      p.load(in);
    }
    String line = p.getProperty(key, "").strip();
    return line.isEmpty() ? List.of() : List.of(line.split("\\s+"));
  }

  static void awaitReady(int port, Process p, String name) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException(name + " exited with " + p.exitValue());
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + q(port) + "/q/health/ready"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(name + " not ready within 120 s");
  }

  static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * utime + stime of one process's C1 and of its C2 compiler threads, in clock ticks (100/s): {c1,
   * c2}, which JVM (and which compiler) still compiles.
   */
  static long[] jitTicks(long pid) {
    long[] out = new long[2];
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          String comm = Files.readString(t.resolve("comm"));
          int kind =
              comm.startsWith("C1 CompilerThre") ? 0 : comm.startsWith("C2 CompilerThre") ? 1 : -1;
          if (kind < 0) {
            continue;
          }
          String stat = Files.readString(t.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          out[kind] += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
          // a thread that ended meanwhile
        }
      }
    } catch (IOException e) {
      // the process ended
    }
    return out;
  }

  /** {@link #jitTicks(long)} of each of {@code pids}. */
  static long[][] jitTicksEach(long[] pids) {
    long[][] out = new long[pids.length][];
    for (int i = 0; i < pids.length; i++) {
      out[i] = jitTicks(pids[i]);
    }
    return out;
  }

  /** utime + stime of each process, in clock ticks (100/s); -1 when unreadable. */
  static long[] cpu(long[] pids) {
    long[] out = new long[pids.length];
    for (int i = 0; i < pids.length; i++) {
      try {
        String stat = Files.readString(Path.of("/proc/" + pids[i] + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        out[i] = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      } catch (IOException | RuntimeException e) {
        out[i] = -1;
      }
    }
    return out;
  }

  /**
   * Builds api-gateway and pool-service when a jar is missing or older than a source of its module,
   * platform or shared-model, so the bench never measures stale jars (skipped with {@code
   * TRYNOW_BENCH_SKIP_BUILD=1} when both jars exist). Current jars are not packaged again: Maven
   * rewrites quarkus-app on every package, and the next {@code ./trynow up} would then record the
   * AOT caches again (their key is the files of quarkus-app).
   */
  static void build(Path root, Path... jars) throws Exception {
    boolean present = true;
    for (Path j : jars) {
      present &= Files.isRegularFile(j);
    }
    if (present && "1".equals(System.getenv("TRYNOW_BENCH_SKIP_BUILD"))) {
      return;
    }
    if (present && stale(root, List.of("api-gateway", "pool-service")).isEmpty()) {
      System.out.println("api-gateway and pool-service jars are current: not packaged again");
      return;
    }
    mavenPackage(root, List.of("api-gateway", "pool-service"));
  }

  /**
   * The modules whose quarkus-run.jar is missing or older than a file under src/main of the module,
   * platform or shared-model.
   */
  static List<String> stale(Path root, List<String> modules) throws IOException {
    long common =
        Math.max(
            newestSource(root.resolve("platform")), newestSource(root.resolve("shared-model")));
    List<String> out = new ArrayList<>();
    for (String m : modules) {
      Path jar = root.resolve(m + "/target/quarkus-app/quarkus-run.jar");
      long built = Files.exists(jar) ? Files.getLastModifiedTime(jar).toMillis() : 0;
      if (Math.max(common, newestSource(root.resolve(m))) > built) {
        out.add(m);
      }
    }
    return out;
  }

  private static long newestSource(Path module) throws IOException {
    Path src = module.resolve("src/main");
    if (!Files.exists(src)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(src)) {
      return files
          .filter(Files::isRegularFile)
          .mapToLong(f -> f.toFile().lastModified())
          .max()
          .orElse(0);
    }
  }

  /**
   * {@code ./mvnw package} of these modules (and what they need), tests and format check skipped.
   */
  static void mavenPackage(Path root, List<String> modules) throws Exception {
    System.out.println("building " + modules + " ...");
    Process p =
        new ProcessBuilder(
                root.resolve("mvnw").toString(),
                "-B",
                "-q",
                "-pl",
                String.join(",", modules),
                "-am",
                "package",
                "-DskipTests",
                "-Dspotless.check.skip=true")
            .directory(root.toFile())
            .inheritIO()
            .start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("building " + modules + " failed");
    }
  }
}
