package io.trynow.bench;

import io.trynow.platform.state.Store;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The whole local stack as {@code ./trynow up} runs it (NATS, Valkey, Caddy, the five services as
 * processes, the host's Docker engine), on its own slot ({@code TRYNOW_BENCH_SLOT}, default 8):
 * what the visitor benchmarks run against. Each {@link #up} starts from empty data; extra
 * environment (template and service settings) is passed to every service.
 */
final class LocalStack implements AutoCloseable {

  static final List<String> SERVICES =
      List.of("api-gateway", "pool-service", "provisioner-worker", "proxy-sync", "cleanup-worker");

  /**
   * Where a service of the local stack answers {@code /q/*}: api-gateway on its management port
   * (its port + 1000, as ./trynow starts it), the others on their port.
   */
  static int healthPort(String service, int port) {
    return service.equals("api-gateway") ? port + 1000 : port;
  }

  final Path root;
  final int slot;
  private boolean running;

  LocalStack(Path root) {
    this.root = root;
    this.slot = Integer.parseInt(System.getenv().getOrDefault("TRYNOW_BENCH_SLOT", "8"));
  }

  int offset() {
    return slot * 100;
  }

  /**
   * What {@code ./trynow} keeps for this slot ({@code pids}, {@code logs}, {@code data}): {@code
   * .trynow/<what>} for slot 0, {@code .trynow/slot-N/<what>} for slot N.
   */
  Path state(String what) {
    Path dir = root.resolve(".trynow");
    return (slot == 0 ? dir : dir.resolve("slot-" + slot)).resolve(what);
  }

  int gatewayPort() {
    return 8080 + offset();
  }

  int poolPort() {
    return 8081 + offset();
  }

  String natsUrl() {
    return "nats://127.0.0.1:" + (14222 + offset());
  }

  String valkeyUrl() {
    return "redis://127.0.0.1:" + (16379 + offset());
  }

  String prefix() {
    return slot == 0 ? "trynow" : "trynow-s" + slot;
  }

  /**
   * Builds the services and the sample images as {@code ./trynow up} does ({@code ./trynow build}):
   * only when the sources changed since its last build, so the services start from their AOT caches
   * as an operator's second {@code up} does (a rebuild of unchanged sources would make them record
   * again). Nothing with TRYNOW_BENCH_SKIP_BUILD=1.
   */
  void build() throws Exception {
    if ("1".equals(System.getenv("TRYNOW_BENCH_SKIP_BUILD"))) {
      return;
    }
    run(Map.of(), "./trynow", "build");
  }

  /**
   * Stops anything left on this slot, wipes its data, runs {@code ./trynow up} with {@code env} and
   * returns the seconds until every service answered ready (all five started together).
   */
  double up(Map<String, String> env) throws Exception {
    down();
    Path data = state("data");
    if (Files.isDirectory(data)) {
      try (Stream<Path> s = Files.walk(data)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
    // Settings with a dot are configuration keys: written with the sample template into one
    // file that every service reads (QUARKUS_CONFIG_LOCATIONS); the others are environment.
    Map<String, String> all = new LinkedHashMap<>();
    Properties props = new Properties();
    try (var in = Files.newBufferedReader(root.resolve("samples/hello/template.properties"))) {
      props.load(in);
    }
    env.forEach((k, v) -> {
      if (k.contains(".")) {
        props.setProperty(k, v);
      } else {
        all.put(k, v);
      }
    });
    Path config = Files.createDirectories(state("data").getParent()).resolve("bench.properties");
    try (var out = Files.newBufferedWriter(config)) {
      props.store(out, "the sample template with the benchmark's settings");
    }
    all.put("QUARKUS_CONFIG_LOCATIONS", config.toString());
    all.put("TRYNOW_SKIP_BUILD", "1");
    long t0 = System.nanoTime();
    running = true;
    try {
      run(all, "./trynow", "up");
    } catch (IllegalStateException e) {
      // ./trynow up gives the services 60 s; on this shared machine they may need more
      System.out.println("./trynow up gave up waiting; waiting for the services here");
    }
    awaitReady(Duration.ofMinutes(5));
    return (System.nanoTime() - t0) / 1e9;
  }

  /** Waits until every service answers {@code /q/health/ready} with 200. */
  void awaitReady(Duration patience) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + patience.toNanos();
    for (int i = 0; i < SERVICES.size(); i++) {
      HttpRequest ready =
          HttpRequest.newBuilder(
                  URI.create(
                      "http://127.0.0.1:"
                          + healthPort(SERVICES.get(i), 8080 + offset() + i)
                          + "/q/health/ready"))
              .timeout(Duration.ofSeconds(2))
              .build();
      while (true) {
        try {
          if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            break;
          }
        } catch (IOException e) {
          // not listening yet
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(SERVICES.get(i) + " not ready within " + patience);
        }
        Thread.sleep(100);
      }
    }
  }

  void down() throws Exception {
    run(Map.of(), "./trynow", "down");
    running = false;
  }

  /**
   * Waits until {@code template} has {@code n} ready instances (five minutes at most); returns the
   * seconds it took.
   */
  static double awaitPool(Store store, String template, int n) throws Exception {
    long t0 = System.nanoTime();
    while (store.poolStats(template).ready() < n) {
      if (System.nanoTime() - t0 > Duration.ofMinutes(5).toNanos()) {
        throw new IllegalStateException("pool did not reach " + n + " ready");
      }
      Thread.sleep(100);
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /** The pid of each running service, by name. */
  Map<String, String> pids() throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String s : SERVICES) {
      Path pidFile = state("pids").resolve(s + ".pid");
      if (Files.exists(pidFile)) {
        out.put(s, Files.readString(pidFile).strip());
      }
    }
    return out;
  }

  /** Resident set size in MB of each running service (from /proc), by name. */
  Map<String, Long> rssMb() throws IOException {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String s : SERVICES) {
      Path pidFile = state("pids").resolve(s + ".pid");
      if (!Files.exists(pidFile)) {
        continue;
      }
      String pid = Files.readString(pidFile).strip();
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          out.put(s, Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024);
        }
      }
    }
    return out;
  }

  /**
   * Each process of the stack (every pid file of the slot but the machine's dockerd) by pid, and
   * this JVM as {@code bench}: the labels of {@link MachineCpu}.
   */
  Map<Long, String> labels() throws IOException {
    Map<Long, String> out = new LinkedHashMap<>();
    stackPids()
        .forEach((name, pid) -> {
          try {
            out.put(Long.parseLong(pid), name);
          } catch (NumberFormatException e) {
            // a pid file being written
          }
        });
    out.put(ProcessHandle.current().pid(), "bench");
    return out;
  }

  /** The pid (as written) of each process of the slot's pid files but the machine's dockerd. */
  private Map<String, String> stackPids() throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    Path pids = state("pids");
    if (Files.isDirectory(pids)) {
      try (Stream<Path> s = Files.list(pids)) {
        for (Path f : s.sorted().toList()) {
          String name = f.getFileName().toString();
          if (name.endsWith(".pid") && !name.equals("dockerd.pid")) {
            out.put(name.replace(".pid", ""), Files.readString(f).strip());
          }
        }
      }
    }
    return out;
  }

  /**
   * CPU seconds (user + system) used so far by each process of the stack (every pid file of the
   * slot: services, NATS, Valkey, Caddy), the Docker engine ({@code dockerd}, {@code containerd},
   * found by name, read only) and this benchmark's own JVM; by name.
   */
  Map<String, Double> cpuSeconds() throws IOException {
    Map<String, Double> out = new LinkedHashMap<>();
    for (var e : stackPids().entrySet()) {
      cpu(e.getValue()).ifPresent(c -> out.put(e.getKey(), c));
    }
    try (Stream<Path> s = Files.list(Path.of("/proc"))) {
      for (Path p : s.toList()) {
        String pid = p.getFileName().toString();
        if (!pid.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String comm = Files.readString(p.resolve("comm")).strip();
          if (comm.equals("dockerd") || comm.equals("containerd")) {
            cpu(pid).ifPresent(c -> out.merge(comm, c, Double::sum));
          }
        } catch (IOException e) {
          // gone meanwhile
        }
      }
    }
    cpu(String.valueOf(ProcessHandle.current().pid())).ifPresent(c -> out.put("bench", c));
    return out;
  }

  /**
   * Waits until the stack's own processes (every pid file of the slot) used less than {@code
   * maxCores} over each of two consecutive one-second windows, at most {@code patience}: a stack
   * that has just reported ready is still compiling and filling for a while, which is its startup
   * (bench startup), not what a crowd arriving at a running stack meets. Returns the seconds waited
   * and the last window's use in cores.
   */
  double[] awaitSettled(double maxCores, Duration patience) throws Exception {
    long t0 = System.nanoTime();
    int quiet = 0;
    double last = Double.NaN;
    while (quiet < 2 && System.nanoTime() - t0 < patience.toNanos()) {
      double before = stackCpu();
      long w0 = System.nanoTime();
      Thread.sleep(1000);
      last = (stackCpu() - before) / ((System.nanoTime() - w0) / 1e9);
      quiet = last < maxCores ? quiet + 1 : 0;
    }
    return new double[] {(System.nanoTime() - t0) / 1e9, last};
  }

  /** CPU seconds used so far by the stack's own processes (services and servers). */
  private double stackCpu() throws IOException {
    double sum = 0;
    for (Map.Entry<String, Double> e : cpuSeconds().entrySet()) {
      if (!e.getKey().equals("dockerd")
          && !e.getKey().equals("containerd")
          && !e.getKey().equals("bench")) {
        sum += e.getValue();
      }
    }
    return sum;
  }

  /** utime + stime of one process, in seconds (clock ticks of 100 Hz). */
  private static java.util.Optional<Double> cpu(String pid) {
    return cpu(Path.of("/proc", pid, "stat"));
  }

  /**
   * utime + stime in seconds from a {@code stat} file: a process's ({@code /proc/<pid>/stat}) or
   * one thread's ({@code /proc/<pid>/task/<tid>/stat}); empty when it is gone or unreadable.
   */
  static java.util.Optional<Double> cpu(Path statFile) {
    try {
      String stat = Files.readString(statFile);
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return java.util.Optional.of((Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0);
    } catch (IOException | RuntimeException e) {
      return java.util.Optional.empty();
    }
  }

  /** What each process used between two {@link #cpuSeconds} readings. */
  static String cpuUsed(Map<String, Double> before, Map<String, Double> after) {
    StringBuilder sb = new StringBuilder();
    double total = 0;
    for (Map.Entry<String, Double> e : after.entrySet()) {
      double used = e.getValue() - before.getOrDefault(e.getKey(), 0.0);
      total += used;
      sb.append(String.format(" %s=%.2f", e.getKey(), used));
    }
    return String.format("%.2f s:", total) + sb;
  }

  /**
   * How each service's JVM runs, by its command line and {@code ./trynow}'s recording mark: {@code
   * recording} (the first {@code up} of a build, {@code -XX:AOTMode=record}), {@code cached}
   * ({@code -XX:AOTCache}) or {@code no cache}. The same jars measured recording and from their
   * caches differ by ~2x in {@code bench sparse} (session 12), so a figure is only comparable with
   * one of the same mode.
   */
  String aotModes() {
    StringBuilder out = new StringBuilder();
    for (String service : SERVICES) {
      out.append(out.isEmpty() ? "" : ", ")
          .append(service)
          .append(' ')
          .append(aotMode(state("pids"), service));
    }
    return out.toString();
  }

  /** {@link #aotModes} of one service, from its pid file in {@code pids}; "?" when not running. */
  static String aotMode(Path pids, String service) {
    try {
      String pid = Files.readString(pids.resolve(service + ".pid")).strip();
      String cmd = Files.readString(Path.of("/proc", pid, "cmdline")).replace('\0', ' ');
      if (Files.exists(pids.resolve(service + ".aot-training"))
          || cmd.contains("-XX:AOTMode=record")) {
        return "recording";
      }
      return cmd.contains("-XX:AOTCache=") ? "cached" : "no cache";
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  /** The machine's 1-minute load average, to print beside every figure. */
  static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "?";
    }
  }

  void run(Map<String, String> env, String... cmd) throws Exception {
    List<String> c = new ArrayList<>(List.of(cmd));
    ProcessBuilder pb = new ProcessBuilder(c).directory(root.toFile()).inheritIO();
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("TRYNOW_SLOT", String.valueOf(slot));
    pb.environment().putAll(env);
    Process p = pb.start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(
          String.join(" ", cmd) + " failed (exit " + p.exitValue() + ")");
    }
  }

  @Override
  public void close() throws Exception {
    if (running && !"1".equals(System.getenv("TRYNOW_BENCH_KEEP"))) {
      down();
    }
  }
}
