package io.trynow.bench;

import io.trynow.testsupport.SampleImage;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Startup and memory of the five services on the whole local stack, as {@code ./trynow up} runs
 * them, next to a floor measured in the same run: a bare JVM printing "hello" with the services'
 * very JVM options, alone and five at once.
 *
 * <ol>
 *   <li>{@code up} of a build with no AOT cache: the services record (-XX:AOTMode=record); all five
 *       ready after how long;
 *   <li>{@code down}: how long it takes (the recordings are written at exit; the caches are made in
 *       the background), and how long the background create takes;
 *   <li>{@code up} again, from the caches: all five ready after how long; whether each service
 *       mapped its cache (its log, {@code -Xlog:aot});
 *   <li>each service alone, stopped and started again with the command line and environment {@code
 *       up} gave it: with its cache (median of 3) and without (the cache options removed);
 *   <li>RSS of each, idle; then after a flash crowd ({@code visitors} at once against {@code ready}
 *       warm instances, all released afterwards).
 * </ol>
 *
 * <p>{@code ./trynow bench startup [visitors=40] [ready=10]} (slot {@code TRYNOW_BENCH_SLOT}).
 * Targets (issue 15): each service ready in <= 3 s alone, all five in <= 10 s together, <= 200 MB
 * RSS idle and after the crowd.
 */
public final class StartupBench {

  static final int ROUNDS = 3;

  public static void main(String[] args) throws Exception {
    int visitors = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    int ready = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    boolean cachedOnly = args.length > 2 && args[2].equals("cached");
    Path root = SampleImage.RepoRoot.find();
    HttpClient http = Visitor.client();
    try (LocalStack stack = new LocalStack(root)) {
      stack.build();
      System.out.printf("startup bench (load %s)%n", LocalStack.load());
      Map<String, String> env = CrowdBench.env(visitors, ready, 4);
      Path aotDir = root.resolve(".trynow/aot");
      if (cachedOnly && cachesMade(stack, aotDir)) {
        System.out.println("AOT caches of this build found: the recording run is skipped");
      } else {
        deleteTree(aotDir);
        Together cold = together(stack, env);
        System.out.printf(
            "all five together, first up of the build (recording, no cache): %s%n", cold);
        long t0 = System.nanoTime();
        stack.down();
        double down = (System.nanoTime() - t0) / 1e9;
        double create = awaitCreate(root);
        System.out.printf(
            "down after the recording run: %5.2f s; the caches made in the background in %5.1f s"
                + " more: %s (load %s)%n",
            down, create, cacheSizes(aotDir), LocalStack.load());
      }

      Together warm = together(stack, env);
      System.out.printf("all five together, from the AOT caches: %s%n", warm);
      List<String> jvmOptions = jvmOptions(stack, "api-gateway");
      System.out.printf("JVM options of the services: %s%n", String.join(" ", jvmOptions));
      floor(root, jvmOptions);
      for (String s : LocalStack.SERVICES) {
        System.out.printf("  %-20s %s%n", s, aotUse(stack, s));
      }

      Map<String, Long> rssBefore = stack.rssMb();
      for (int i = 0; i < LocalStack.SERVICES.size(); i++) {
        String s = LocalStack.SERVICES.get(i);
        int port = 8080 + stack.offset() + i;
        List<Double> without = new ArrayList<>();
        List<Double> with = new ArrayList<>();
        List<Double> withoutCpu = new ArrayList<>();
        List<Double> withCpu = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
          if (!cachedOnly) {
            double[] a = restart(stack, http, s, port, false);
            without.add(a[0]);
            withoutCpu.add(a[1]);
          }
          double[] b = restart(stack, http, s, port, true);
          with.add(b[0]);
          withCpu.add(b[1]);
        }
        System.out.printf(
            "%-20s alone: from its AOT cache %5.2f s (CPU %4.2f s; median of %d, max %5.2f s)%s"
                + " (load %s)%n",
            s,
            median(with),
            median(withCpu),
            ROUNDS,
            Collections.max(with),
            cachedOnly
                ? ""
                : String.format(
                    ", without %5.2f s (CPU %4.2f s)", median(without), median(withoutCpu)),
            LocalStack.load());
      }
      Thread.sleep(5000);
      System.out.println("RSS MB idle, at up:              " + rssBefore);
      System.out.println("RSS MB idle, after the restarts: " + stack.rssMb());
      if (cachedOnly) {
        return;
      }

      try (var store = io.trynow.platform.state.Store.connect(stack.valkeyUrl(), stack.prefix())) {
        LocalStack.awaitPool(store, CrowdBench.TEMPLATE, ready);
      }
      List<Visitor.Visit> visits = CrowdBench.crowd(http, stack.gatewayPort(), visitors);
      System.out.printf(
          "crowd: %d visitors at once against %d ready, %d served (load %s)%n",
          visitors, ready, visits.size(), LocalStack.load());
      System.out.println("RSS MB right after the crowd:    " + stack.rssMb());
      for (Visitor.Visit v : visits) {
        Visitor.release(http, stack.gatewayPort(), v.id(), v.token());
      }
      Thread.sleep(10_000);
      System.out.println("RSS MB 10 s after the releases:  " + stack.rssMb());
    }
  }

  /**
   * One {@code ./trynow up} of all five services together, timed three ways: the whole command
   * (prerequisite checks and NATS/Valkey/Caddy included); from the first service JVM's start until
   * the last answered ready; and each service from its own JVM's start until it answered ready
   * (polled every 20 ms). With the CPU seconds each had used at the end, and how far the pool's
   * first fill (which runs meanwhile and competes for the CPU) had got.
   */
  record Together(
      double command, double jvms, Map<String, Double> each, String cpu, String pool, String load) {
    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      sb.append(
          String.format(
              "%5.2f s from the first JVM's start (./trynow up whole: %5.2f s) (load %s)%n",
              jvms, command, load));
      each.forEach(
          (s, t) -> sb.append(String.format("    %-20s ready %5.2f s after its start%n", s, t)));
      sb.append("    CPU s at ready ").append(cpu).append('\n');
      sb.append("    pool at that moment: ").append(pool);
      return sb.toString();
    }
  }

  static Together together(LocalStack stack, Map<String, String> env) throws Exception {
    stack.down(); // nothing of an earlier run may answer the poller
    Map<String, Long> readyAt = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.concurrent.atomic.AtomicBoolean polling =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    HttpClient http = HttpClient.newHttpClient();
    Thread poller =
        Thread.ofPlatform()
            .daemon()
            .start(() -> {
              while (polling.get() && readyAt.size() < LocalStack.SERVICES.size()) {
                for (int i = 0; i < LocalStack.SERVICES.size(); i++) {
                  String s = LocalStack.SERVICES.get(i);
                  if (readyAt.containsKey(s)) {
                    continue;
                  }
                  URI uri =
                      URI.create(
                          "http://127.0.0.1:"
                              + LocalStack.healthPort(s, 8080 + stack.offset() + i)
                              + "/q/health/ready");
                  try {
                    HttpRequest r =
                        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(1)).build();
                    if (http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                      readyAt.put(s, System.nanoTime());
                    }
                  } catch (IOException e) {
                    // not listening yet
                  } catch (InterruptedException e) {
                    return;
                  }
                }
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
              }
            });
    double command = stack.up(env);
    poller.join(5000);
    polling.set(false);
    String pool = poolNow(stack);
    String cpu = cpuAtReady(stack);
    // each JVM's start (/proc/<pid>/stat starttime, ticks since boot) on the nanoTime scale
    double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
    long now = System.nanoTime();
    long firstStart = Long.MAX_VALUE;
    long lastReady = 0;
    Map<String, Double> each = new LinkedHashMap<>();
    for (String s : LocalStack.SERVICES) {
      long started = now - (long) ((uptime - startTicks(pid(stack, s)) / 100.0) * 1e9);
      long at = readyAt.getOrDefault(s, now);
      firstStart = Math.min(firstStart, started);
      lastReady = Math.max(lastReady, at);
      each.put(s, (at - started) / 1e9);
    }
    return new Together(
        command, (lastReady - firstStart) / 1e9, each, cpu, pool, LocalStack.load());
  }

  /** The sample template's pool now: ready and in flight. */
  private static String poolNow(LocalStack stack) {
    try (var store = io.trynow.platform.state.Store.connect(stack.valkeyUrl(), stack.prefix())) {
      var p = store.poolStats(CrowdBench.TEMPLATE);
      return p.ready() + " ready, " + p.inFlight() + " being provisioned";
    } catch (RuntimeException e) {
      return "? (" + e.getMessage() + ")";
    }
  }

  /** When a process started: field 22 of /proc/<pid>/stat, in clock ticks (100 Hz) since boot. */
  static long startTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[19]);
  }

  /** Whether every service has an AOT cache in {@code aotDir} (of some build; up checks which). */
  private static boolean cachesMade(LocalStack stack, Path aotDir) throws IOException {
    if (!Files.isDirectory(aotDir)) {
      return false;
    }
    for (String s : LocalStack.SERVICES) {
      try {
        cachePath(stack, s);
      } catch (IllegalStateException e) {
        return false;
      }
    }
    return true;
  }

  /**
   * The floor: a bare JVM that prints "hello" and exits, with the services' JVM options: alone
   * (median of 5) and five at once (until the last exits).
   */
  static void floor(Path root, List<String> jvmOptions) throws Exception {
    Path dir = Files.createDirectories(root.resolve("bench/target/floor"));
    Path src = dir.resolve("Hello.java");
    Files.writeString(
        src,
        "public class Hello { public static void main(String[] a) {"
            + " System.out.println(\"hello\"); } }");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", dir.toString(), "Hello"));
    Process javac =
        new ProcessBuilder(
                Path.of(java).resolveSibling("javac").toString(),
                "-d",
                dir.toString(),
                src.toString())
            .inheritIO()
            .start();
    if (javac.waitFor() != 0) {
      throw new IllegalStateException("javac Hello.java failed");
    }
    List<Double> alone = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      run(cmd);
      alone.add((System.nanoTime() - t0) / 1e9);
    }
    long t0 = System.nanoTime();
    List<Process> five = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      five.add(new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    }
    for (Process p : five) {
      p.waitFor();
    }
    double together = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "floor: a bare JVM (hello, same options) alone %5.3f s (median of 5), five at once %5.3f s"
            + " (load %s)%n",
        median(alone), together, LocalStack.load());
    System.out.printf(
        "floor: the machine's share: one CPU-second of work took %5.2f s (load %s)%n",
        cpuSecondWall(), LocalStack.load());
  }

  /**
   * How long one CPU-second of single-threaded work takes on the machine now (1.0 when a core is
   * free): what a service's CPU seconds to ready stretch by under the current load.
   */
  static double cpuSecondWall() {
    var bean = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpu0 = bean.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    long x = 0;
    while (bean.getCurrentThreadCpuTime() - cpu0 < 1_000_000_000L) {
      for (int i = 0; i < 100_000; i++) {
        x += i * 31L ^ (x >>> 3);
      }
    }
    if (x == 42) {
      System.out.print("");
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /** CPU seconds (user + system) a process has used so far, from /proc. */
  static double cpuSeconds(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // fields 14 and 15 of stat (utime, stime), counted after the command name: index 11 and 12
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }

  private static void run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed");
    }
  }

  /**
   * The JVM options {@code up} gave {@code service}: between java and -jar, AOT and -D left out.
   */
  static List<String> jvmOptions(LocalStack stack, String service) throws IOException {
    List<String> cmd = cmdline(stack, service);
    List<String> out = new ArrayList<>();
    for (String a : cmd.subList(1, cmd.indexOf("-jar"))) {
      if (!a.startsWith("-XX:AOT") && !a.startsWith("-D") && !a.startsWith("-Xlog")) {
        out.add(a);
      }
    }
    return out;
  }

  private static List<String> cmdline(LocalStack stack, String service) throws IOException {
    return nulSeparated(Path.of("/proc/" + pid(stack, service) + "/cmdline"));
  }

  private static long pid(LocalStack stack, String service) throws IOException {
    return Long.parseLong(Files.readString(stack.state("pids").resolve(service + ".pid")).strip());
  }

  /** Waits for the background create of the AOT caches ({@code down} started it); its seconds. */
  static double awaitCreate(Path root) throws Exception {
    long t0 = System.nanoTime();
    Path pidFile = root.resolve(".trynow/pids/aot-create.pid");
    if (Files.exists(pidFile)) {
      long pid = Long.parseLong(Files.readString(pidFile).strip());
      ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private static String cacheSizes(Path aotDir) throws IOException {
    if (!Files.isDirectory(aotDir)) {
      return "none";
    }
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(aotDir)) {
      for (Path p : s.sorted().toList()) {
        out.add(p.getFileName() + " " + Files.size(p) / (1024 * 1024) + " MB");
      }
    }
    return String.join(", ", out);
  }

  /** Each service's CPU seconds (user + system) right after all answered ready, and the sum. */
  static String cpuAtReady(LocalStack stack) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    double sum = 0;
    for (String s : LocalStack.SERVICES) {
      double c = cpuSeconds(pid(stack, s));
      sum += c;
      out.put(s, String.format("%.2f", c));
    }
    return out + String.format(" sum %.2f (>= %.2f s on two free cores)", sum, sum / 2);
  }

  /**
   * Whether {@code service} runs from its AOT cache: the cache on its command line, and what the
   * JVM mapped ({@code jcmd VM.info}: "CDS archive(s) mapped at ..., size N"; the JDK's own archive
   * alone is ~15 MB, a service's AOT cache ~65-75 MB).
   */
  static String aotUse(LocalStack stack, String service) throws Exception {
    String cache =
        cmdline(stack, service).stream()
            .filter(a -> a.startsWith("-XX:AOTCache="))
            .findFirst()
            .orElse(null);
    if (cache == null) {
      return "NO AOT CACHE on its command line";
    }
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process p =
        new ProcessBuilder(
                Path.of(java).resolveSibling("jcmd").toString(),
                String.valueOf(pid(stack, service)),
                "VM.info")
            .redirectErrorStream(true)
            .start();
    String info = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    String mapped =
        info.lines()
            .filter(l -> l.startsWith("CDS archive(s) mapped at"))
            .map(l -> l.replaceAll(".*size (\\d+).*", "$1"))
            .findFirst()
            .map(n -> "mapped " + Long.parseLong(n) / (1024 * 1024) + " MB")
            .orElse("NOTHING MAPPED");
    return cache.substring(cache.lastIndexOf('/') + 1) + ": " + mapped;
  }

  /**
   * Stops {@code service} (SIGTERM, waits for its exit) and starts it again with the same command
   * line and environment, with or without its AOT cache; returns the seconds until ready and the
   * CPU seconds it had used by then.
   */
  static double[] restart(
      LocalStack stack, HttpClient http, String service, int port, boolean withCache)
      throws Exception {
    Path pidFile = stack.state("pids").resolve(service + ".pid");
    long pid = pid(stack, service);
    List<String> cmd = cmdline(stack, service);
    Map<String, String> env = new LinkedHashMap<>();
    for (String kv : nulSeparated(Path.of("/proc/" + pid + "/environ"))) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        env.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    ProcessHandle old = ProcessHandle.of(pid).orElseThrow();
    old.destroy();
    old.onExit().get();
    List<String> next = new ArrayList<>();
    String cache = cachePath(stack, service);
    for (String a : cmd) {
      if (!a.startsWith("-XX:AOT")) {
        next.add(a);
      }
      if (a.equals(cmd.getFirst()) && withCache) {
        next.add("-XX:AOTCache=" + cache);
      }
    }
    ProcessBuilder pb = new ProcessBuilder(next).directory(stack.root.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    File log = stack.state("logs").resolve(service + ".log").toFile();
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log));
    long t0 = System.nanoTime();
    Process p = pb.start();
    Files.writeString(pidFile, p.pid() + "\n");
    HttpRequest readyRequest =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + LocalStack.healthPort(service, port) + "/q/health/ready"))
            .timeout(Duration.ofSeconds(2))
            .build();
    while (true) {
      if (!p.isAlive()) {
        throw new IllegalStateException(service + " exited; see " + log);
      }
      try {
        if (http.send(readyRequest, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return new double[] {(System.nanoTime() - t0) / 1e9, cpuSeconds(p.pid())};
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(20);
    }
  }

  /** The cache {@code up} made for {@code service}'s module: .trynow/aot/<module>-<key>.aot. */
  private static String cachePath(LocalStack stack, String service) throws IOException {
    try (Stream<Path> s = Files.list(stack.root.resolve(".trynow/aot"))) {
      return s.filter(p -> p.getFileName().toString().startsWith(service + "-"))
          .filter(p -> p.toString().endsWith(".aot"))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("no AOT cache for " + service))
          .toString();
    }
  }

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static List<String> nulSeparated(Path p) throws IOException {
    String s = new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    return new ArrayList<>(Arrays.asList(s.split("\0")));
  }
}
