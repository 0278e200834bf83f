package io.trynow.bench;

import io.trynow.platform.state.Store;
import io.trynow.testsupport.FreePorts;
import io.trynow.testsupport.SampleImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A flash crowd: {@code visitors} click at once against a pool of {@code ready} real containers of
 * the sample template on the whole local stack ({@code ./trynow up} on slot {@code
 * TRYNOW_BENCH_SLOT}, default 8). Each visitor's time-to-page (API answer, status polling every 50
 * ms while queued, then the page through Caddy) is printed for warm and queued visitors, next to
 * the raw floor measured in the same run: {@code docker run} + first healthy HTTP of as many
 * containers as visitors were queued, same image and limits, at the same parallelism as the pool's
 * provisioning (max-in-flight). Target: the last queued visitor served within 1.25× the floor.
 *
 * <p>{@code ./trynow bench crowd [visitors=60] [ready=20] [max-in-flight=4]}
 */
public final class CrowdBench {

  static final String TEMPLATE = "hello";

  /**
   * The crowd starts once the stack's processes use less than this (cores, over each of two
   * consecutive seconds): idle, the five services and their servers use ~0.1.
   */
  static final double SETTLED_CORES = 0.25;

  public static void main(String[] args) throws Exception {
    int visitors = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    int ready = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int parallel = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    Path root = SampleImage.RepoRoot.find();
    HttpClient http = Visitor.client();
    try (LocalStack stack = new LocalStack(root)) {
      stack.build();
      int queued = Math.max(0, visitors - ready);
      int clientWarmUp =
          Integer.parseInt(System.getenv().getOrDefault("TRYNOW_BENCH_CLIENT_WARM_UP", "600"));
      if (clientWarmUp > 0) {
        // before the floor, which uses the same client: its compiling is over before either
        System.out.printf(
            "bench's own visitors warmed up on a stand-in (%d visits, %d at once): %.1f s%n",
            clientWarmUp, visitors, ClientWarmUp.run(http, clientWarmUp, visitors));
      }
      System.out.printf(
          "crowd bench: %d visitors at once, %d ready, max-in-flight %d (load %s)%n",
          visitors, ready, parallel, LocalStack.load());
      List<Double> floorCurve = rawFloor(http, queued, parallel, stack.slot);
      double floor = floorCurve.isEmpty() ? 0 : floorCurve.getLast();
      System.out.printf(
          "floor: docker run + first healthy HTTP of %d containers, %d at a time: %.2f s (load %s)%n",
          queued, parallel, floor, LocalStack.load());

      double upSeconds = stack.up(env(visitors, ready, parallel));
      System.out.printf("stack up (all five services ready) in %.1f s%n", upSeconds);
      try (Store store = Store.connect(stack.valkeyUrl(), stack.prefix())) {
        double filled = LocalStack.awaitPool(store, TEMPLATE, ready);
        System.out.printf(
            "pool of %d ready after %.1f s (load %s)%n", ready, filled, LocalStack.load());
      }
      int warmUp = Integer.parseInt(System.getenv().getOrDefault("TRYNOW_BENCH_WARM_CROWD", "0"));
      if (warmUp > 0) { // before the stage snapshot: the figures below are the measured crowd's
        warmUpCrowd(http, stack, warmUp, ready);
      }
      int gatewayQ = LocalStack.healthPort("api-gateway", stack.gatewayPort());
      // the services' stage histograms before the crowd (before the settle wait, which absorbs
      // the reads), so that the figures below are the crowd's own
      ServerStages.Snapshot gatewayBefore = ServerStages.read(gatewayQ, ServerStages.GATEWAY);
      ServerStages.Snapshot poolBefore = ServerStages.read(stack.poolPort(), ServerStages.POOL);
      if (!"0".equals(System.getenv("TRYNOW_BENCH_SETTLE"))) {
        // The crowd meets a running stack, as in production: not JVMs still compiling their
        // start (that is bench startup's figure). TRYNOW_BENCH_SETTLE=0 starts it at once.
        double[] settled = stack.awaitSettled(SETTLED_CORES, Duration.ofSeconds(60));
        System.out.printf(
            "stack settled after %.1f s (its processes used %.2f cores over the last second;"
                + " load %s)%n",
            settled[0], settled[1], LocalStack.load());
      }
      CrowdProfile profile = CrowdProfile.start(System.getenv("TRYNOW_BENCH_JFR"), stack.pids());
      Map<String, Long> rssBefore = stack.rssMb();
      Map<String, Double> cpuBefore = stack.cpuSeconds();
      Map<String, String> jitPids = new java.util.LinkedHashMap<>(stack.pids());
      jitPids.put("bench", String.valueOf(ProcessHandle.current().pid()));
      Map<String, Double> jitBefore = jitSeconds(jitPids);
      Map<String, Map<String, Double>> threadsBefore = threadCpu(jitPids);
      long crowdStart = System.nanoTime();
      System.out.printf("crowd starts at %d (epoch ms)%n", System.currentTimeMillis());
      List<Visitor.Visit> visits = crowd(http, stack.gatewayPort(), visitors);
      double crowdSeconds = (System.nanoTime() - crowdStart) / 1e9;
      Map<String, Double> cpuAfter = stack.cpuSeconds();
      Map<String, Double> jitAfter = jitSeconds(jitPids);
      Map<String, Map<String, Double>> threadsAfter = threadCpu(jitPids);
      profile.dump();
      Map<String, Long> rssAfter = stack.rssMb();
      System.out.printf(
          "CPU seconds used during the crowd (%.2f s wall, 2 cores): %s%n",
          crowdSeconds, LocalStack.cpuUsed(cpuBefore, cpuAfter));
      System.out.printf(
          "  of which JIT compiler threads (C1, C2): %s%n",
          LocalStack.cpuUsed(jitBefore, jitAfter));
      printThreadCpu(threadsBefore, threadsAfter);
      try (Store store = Store.connect(stack.valkeyUrl(), stack.prefix())) {
        CrowdTimeline.print(store, visits, floorCurve, parallel);
        System.out.println(
            "the crowd's acquires, server side (count, p50/p90/p99 ms of the crowd's acquires only;"
                + " gateway: dispatch, acquire_ready, publish, reply, respond; pool: deliver,"
                + " handoff, store, reply):");
        ServerStages.read(gatewayQ, ServerStages.GATEWAY).since(gatewayBefore).printQuantiles();
        ServerStages.read(stack.poolPort(), ServerStages.POOL).since(poolBefore).printQuantiles();
      } catch (Exception e) {
        System.out.println("timeline not printed: " + e);
      }
      // The machine is shared and its load drifts: the floor again, right after the crowd, with
      // the stack stopped (its refill would compete with the floor for the engine).
      stack.down();
      List<Double> floorAfterCurve = rawFloor(http, queued, parallel, stack.slot);
      double floorAfter = floorAfterCurve.isEmpty() ? 0 : floorAfterCurve.getLast();
      System.out.printf(
          "floor again after the crowd: %.2f s (load %s)%n", floorAfter, LocalStack.load());
      report(visits, floor, floorAfter);
      System.out.println("RSS MB idle (pool filled):  " + rssBefore);
      System.out.println("RSS MB after the crowd:     " + rssAfter);
    }
  }

  /**
   * {@code TRYNOW_BENCH_WARM_CROWD=N}: a crowd of {@code N} visitors before the measured one, whose
   * demos are then released; the measured crowd starts once the pool is back at {@code ready} and
   * the stack has settled. It tells apart what a crowd costs the JVMs the first time they run its
   * code (class loading, JIT: the services' compilers are busy through the first crowd) from what
   * it costs a stack that has served one before.
   */
  static void warmUpCrowd(HttpClient http, LocalStack stack, int visitors, int ready)
      throws Exception {
    long t0 = System.nanoTime();
    List<Visitor.Visit> visits = crowd(http, stack.gatewayPort(), visitors);
    double last = visits.stream().mapToDouble(Visitor.Visit::pageMs).max().orElse(0) / 1000;
    int released = 0;
    for (Visitor.Visit v : visits) {
      if (v.id() != null
          && v.token() != null
          && Visitor.release(http, stack.gatewayPort(), v.id(), v.token()) / 100 == 2) {
        released++;
      }
    }
    try (Store store = Store.connect(stack.valkeyUrl(), stack.prefix())) {
      LocalStack.awaitPool(store, TEMPLATE, ready);
      double[] settled = stack.awaitSettled(SETTLED_CORES, Duration.ofSeconds(90));
      System.out.printf(
          "warm-up crowd: %d visitors, last served after %.2f s, %d demos released; pool back at"
              + " %d ready and settled %.1f s after it began (load %s)%n",
          visitors,
          last,
          released,
          store.poolStats(TEMPLATE).ready(),
          (System.nanoTime() - t0) / 1e9,
          LocalStack.load());
      if (settled[1] > SETTLED_CORES) {
        System.out.printf("  (not settled: %.2f cores)%n", settled[1]);
      }
    }
  }

  /**
   * CPU seconds used so far by each JVM's JIT compiler threads ({@code /proc/<pid>/task/*}, threads
   * named {@code C1 CompilerThre...} / {@code C2 CompilerThre...}).
   */
  static Map<String, Double> jitSeconds(Map<String, String> pids) {
    Map<String, Double> out = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, String> e : pids.entrySet()) {
      double sum = 0;
      try (java.util.stream.Stream<Path> tasks =
          java.nio.file.Files.list(Path.of("/proc", e.getValue(), "task"))) {
        for (Path t : tasks.toList()) {
          try {
            if (java.nio.file.Files.readString(t.resolve("comm")).contains("CompilerThre")) {
              sum += LocalStack.cpu(t.resolve("stat")).orElse(0.0);
            }
          } catch (java.io.IOException gone) {
            // a thread that ended meanwhile
          }
        }
      } catch (java.io.IOException gone) {
        continue;
      }
      out.put(e.getKey(), sum);
    }
    return out;
  }

  /**
   * CPU seconds used so far by each JVM's threads, grouped by thread name without its digits
   * ({@code /proc/<pid>/task/*}: {@code comm}, at most 15 characters; virtual threads show as their
   * carriers, {@code ForkJoinPool-}).
   */
  static Map<String, Map<String, Double>> threadCpu(Map<String, String> pids) {
    Map<String, Map<String, Double>> out = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, String> e : pids.entrySet()) {
      Map<String, Double> groups = new java.util.HashMap<>();
      try (java.util.stream.Stream<Path> tasks =
          java.nio.file.Files.list(Path.of("/proc", e.getValue(), "task"))) {
        for (Path t : tasks.toList()) {
          try {
            String group =
                java.nio.file.Files.readString(t.resolve("comm")).strip().replaceAll("[0-9]+", "#");
            groups.merge(group, LocalStack.cpu(t.resolve("stat")).orElse(0.0), Double::sum);
          } catch (java.io.IOException gone) {
            // a thread that ended meanwhile
          }
        }
      } catch (java.io.IOException gone) {
        continue;
      }
      out.put(e.getKey(), groups);
    }
    return out;
  }

  /**
   * Per JVM, its thread groups that used the most CPU during the crowd (threads that ended during
   * the crowd are not counted; a group's figure is the growth of its live threads' sums).
   */
  static void printThreadCpu(
      Map<String, Map<String, Double>> before, Map<String, Map<String, Double>> after) {
    System.out.println("  by thread (CPU s during the crowd, top groups per JVM):");
    for (Map.Entry<String, Map<String, Double>> e : after.entrySet()) {
      Map<String, Double> was = before.getOrDefault(e.getKey(), Map.of());
      StringBuilder sb = new StringBuilder();
      e.getValue().entrySet().stream()
          .map(g -> Map.entry(g.getKey(), g.getValue() - was.getOrDefault(g.getKey(), 0.0)))
          .filter(g -> g.getValue() >= 0.02)
          .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
          .limit(8)
          .forEach(g -> sb.append(String.format(" %s=%.2f", g.getKey(), g.getValue())));
      System.out.printf("    %s:%s%n", e.getKey(), sb);
    }
  }

  static Map<String, String> env(int visitors, int ready, int parallel) {
    return settings(visitors, ready, parallel);
  }

  static Map<String, String> settings(int visitors, int ready, int parallel) {
    return Map.ofEntries(
        Map.entry("trynow.templates.hello.min-ready", String.valueOf(ready)),
        Map.entry("trynow.templates.hello.max-total", String.valueOf(visitors + ready + 10)),
        Map.entry("trynow.templates.hello.max-in-flight", String.valueOf(parallel)),
        Map.entry("trynow.templates.hello.max-queue", String.valueOf(visitors * 2)),
        Map.entry("TRYNOW_GATEWAY_MAX_LIVE_PER_IP", "0"),
        Map.entry("TRYNOW_GATEWAY_ACQUIRES_PER_HOUR", "1000000"),
        Map.entry("TRYNOW_GATEWAY_ACQUIRES_PER_DAY", "1000000"),
        Map.entry("TRYNOW_GATEWAY_SSE_MAX_PER_IP", "1000000"));
  }

  /** All visitors click at the same instant; each goes on to its page. */
  static List<Visitor.Visit> crowd(HttpClient http, int gatewayPort, int visitors)
      throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<Visitor.Visit> out = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger failed = new AtomicInteger();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < visitors; i++) {
        fs.add(
            pool.submit(() -> {
              go.await();
              try {
                out.add(Visitor.visit(http, gatewayPort, TEMPLATE, Duration.ofMinutes(5)));
              } catch (Exception e) {
                failed.incrementAndGet();
                System.out.println("visitor failed: " + e);
              }
              return null;
            }));
      }
      go.countDown();
      for (Future<?> f : fs) {
        f.get();
      }
    }
    if (failed.get() > 0) {
      System.out.println("FAILED visitors: " + failed.get());
    }
    return out;
  }

  static void report(List<Visitor.Visit> visits, double floorSeconds, double floorAfter) {
    List<Double> warm = new ArrayList<>();
    List<Double> queued = new ArrayList<>();
    List<Double> warmApi = new ArrayList<>();
    List<Double> queuedApi = new ArrayList<>();
    for (Visitor.Visit v : visits) {
      (v.warm() ? warm : queued).add(v.pageMs());
      (v.warm() ? warmApi : queuedApi).add(v.apiMs());
    }
    line("warm visitors: API answer (201)", warmApi);
    line("queued visitors: API answer (202)", queuedApi);
    line("warm visitors: time-to-page", warm);
    line("queued visitors: time-to-page", queued);
    System.out.printf(
        "queued visitors waited %s%n",
        Visitor.POLLING
            ? "polling the status URL every " + Visitor.POLL.toMillis() + " ms"
            : "on the request's event stream, as the widget does ("
                + Visitor.STREAM_FALLBACKS.get()
                + " fell back to polling)");
    System.out.printf(
        "page reads sent again after Caddy closed a pooled connection (as a browser does): %d%n",
        Visitor.PAGE_RETRIES.get());
    if (!queued.isEmpty()) {
      double last = Collections.max(queued) / 1000;
      System.out.printf(
          "last queued visitor served after %.2f s = %.2fx the raw floor before (%.2f s), %.2fx"
              + " the floor after (%.2f s); target <= 1.25x (load %s)%n",
          last,
          last / floorSeconds,
          floorSeconds,
          last / floorAfter,
          floorAfter,
          LocalStack.load());
    }
  }

  static void line(String name, List<Double> ms) {
    if (ms.isEmpty()) {
      System.out.printf("%-36s n=0%n", name);
      return;
    }
    List<Double> s = new ArrayList<>(ms);
    Collections.sort(s);
    System.out.printf(
        "%-36s n=%-4d p50=%8.1f ms  p90=%8.1f ms  max=%8.1f ms%n",
        name, s.size(), pct(s, 0.5), pct(s, 0.9), s.getLast());
  }

  static double pct(List<Double> sorted, double q) {
    return sorted.get(Math.max(0, (int) Math.ceil(q * sorted.size()) - 1));
  }

  /**
   * {@code docker run} (CLI, host network, the template's limits) + first healthy HTTP of {@code n}
   * containers of the sample image, {@code parallel} at a time; the seconds after the start at
   * which each was healthy, in order (the last is the floor).
   */
  static List<Double> rawFloor(HttpClient http, int n, int parallel, int slot) throws Exception {
    if (n == 0) {
      return List.of();
    }
    SampleImage.ensureBuilt();
    int first = FreePorts.range(n);
    String label = "trynow.bench=floor-s" + slot;
    List<String> names = Collections.synchronizedList(new ArrayList<>());
    List<Double> healthy = Collections.synchronizedList(new ArrayList<>());
    Map<String, double[]> runHealthy = new java.util.concurrent.ConcurrentHashMap<>();
    AtomicInteger next = new AtomicInteger();
    long t0 = System.nanoTime();
    long t0Epoch = System.currentTimeMillis();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> fs = new ArrayList<>();
      for (int w = 0; w < parallel; w++) {
        fs.add(
            pool.submit(() -> {
              for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                int port = first + i;
                String name = "trynow-bench-floor-s" + slot + "-" + i;
                names.add(name);
                double runAt = (System.nanoTime() - t0) / 1e6;
                docker(
                    "run",
                    "-d",
                    "--network",
                    "host",
                    "--name",
                    name,
                    "--label",
                    label,
                    "--memory",
                    "32m",
                    "--cpus",
                    "0.5",
                    "--pids-limit",
                    "128",
                    "--cap-drop",
                    "ALL",
                    "--security-opt",
                    "no-new-privileges",
                    "-e",
                    "PORT=" + port,
                    "-e",
                    "BIND=127.0.0.1",
                    SampleImage.IMAGE);
                HttpRequest req =
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                        .timeout(Duration.ofSeconds(2))
                        .build();
                while (true) {
                  try {
                    if (http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode()
                        == 200) {
                      healthy.add((System.nanoTime() - t0) / 1e9);
                      runHealthy.put(name, new double[] {runAt, (System.nanoTime() - t0) / 1e6});
                      break;
                    }
                  } catch (java.io.IOException e) {
                    // not listening yet
                  }
                  Thread.sleep(20);
                }
              }
              return null;
            }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    }
    floorStages(names, runHealthy, t0Epoch);
    removeFloor(names);
    List<Double> curve = new ArrayList<>(healthy);
    Collections.sort(curve);
    return curve;
  }

  /**
   * The floor's own stages, as the crowd's timeline shows trynow's (docker inspect): docker run
   * called -> container created -> process started -> healthy, and how many containers the engine
   * had between created and healthy on average. Best effort.
   */
  private static void floorStages(
      List<String> names, Map<String, double[]> runHealthy, long t0Epoch) {
    try {
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  "docker", "inspect", "--format", "{{.Name}} {{.Created}} {{.State.StartedAt}}"));
      cmd.addAll(names);
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String text = new String(p.getInputStream().readAllBytes());
      p.waitFor();
      List<Double> runToCreated = new ArrayList<>();
      List<Double> createdToStarted = new ArrayList<>();
      List<Double> startedToHealthy = new ArrayList<>();
      double inEngine = 0;
      double end = 0;
      for (String line : text.split("\n")) {
        String[] f = line.trim().split(" ");
        if (f.length != 3) {
          continue;
        }
        double[] rh = runHealthy.get(f[0].replaceFirst("^/", ""));
        if (rh == null) {
          continue;
        }
        double created = java.time.Instant.parse(f[1]).toEpochMilli() - t0Epoch;
        double started = java.time.Instant.parse(f[2]).toEpochMilli() - t0Epoch;
        runToCreated.add(created - rh[0]);
        createdToStarted.add(started - created);
        startedToHealthy.add(rh[1] - started);
        inEngine += rh[1] - Math.max(0, created);
        end = Math.max(end, rh[1]);
      }
      line("  floor: docker run -> container created", runToCreated);
      line("  floor: container created -> process started", createdToStarted);
      line("  floor: process started -> healthy", startedToHealthy);
      if (end > 0) {
        System.out.printf(
            "  floor pacing: on average %.2f container created..healthy at once%n", inEngine / end);
      }
    } catch (Exception e) {
      System.out.println("  floor stages not printed: " + e);
    }
  }

  /**
   * Removes the floor's containers {@value #REMOVE_AT_ONCE} at a time. One {@code docker rm -f} of
   * all of them removes them in parallel, and Docker 20.10 (Debian 12's engine) can deadlock on
   * that many exits at once until dockerd is restarted (moby/moby#46661; the provisioner bounds its
   * removals the same way, {@code trynow.docker.max-parallel-removals}): it happened here in
   * session 9 on the floor's 40.
   */
  static void removeFloor(List<String> names) throws Exception {
    for (int i = 0; i < names.size(); i += REMOVE_AT_ONCE) {
      List<String> rm = new ArrayList<>(List.of("rm", "-f"));
      rm.addAll(names.subList(i, Math.min(names.size(), i + REMOVE_AT_ONCE)));
      docker(rm.toArray(String[]::new));
    }
  }

  static final int REMOVE_AT_ONCE = 4;

  static void docker(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add("docker");
    cmd.addAll(List.of(args));
    Process p =
        new ProcessBuilder(cmd)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed");
    }
  }
}
