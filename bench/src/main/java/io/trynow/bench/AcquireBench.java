package io.trynow.bench;

import io.trynow.model.Ids;
import io.trynow.platform.state.Changed;
import io.trynow.platform.state.ClaimResult;
import io.trynow.platform.state.PortResult;
import io.trynow.platform.state.ReadyResult;
import io.trynow.platform.state.ReserveArgs;
import io.trynow.platform.state.Store;
import io.trynow.testsupport.FreePorts;
import io.trynow.testsupport.NatsServer;
import io.trynow.testsupport.SampleImage;
import io.trynow.testsupport.ValkeyServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The visitor's acquire through the real api-gateway and pool-service (each its own process, from
 * its built jar) on a real nats-server and Valkey, with the pool pre-filled through the store: an
 * open-loop load of {@code rate} acquires/s for {@code seconds}, latency measured from each
 * request's scheduled start (no coordinated omission). Printed next to the raw floor measured in
 * the same run: one Lua call, one JetStream PubAck, one core NATS request/reply.
 *
 * <p>{@code ./trynow bench acquire [rate/s] [seconds] [ready] [warm-up seconds]} (defaults 500, 60,
 * enough ready demos for every acquire of the longest warm-up and the load, at least 10,000 and at
 * most 63,000 (one port each), 30: the least warm-up, see {@link #warmUp}). The services run with
 * the JVM options {@code ./trynow up} gives them ({@code deploy/jvm-options.properties}: the {@code
 * local} line and their own) plus {@code TRYNOW_BENCH_JVM_OPTS} (space-separated) when set; {@code
 * TRYNOW_BENCH_JFR=DIR} records a JFR profile of each service. Both services are rebuilt first
 * ({@code TRYNOW_BENCH_SKIP_BUILD=1} skips that when their jars exist).
 *
 * <p>{@code TRYNOW_BENCH_REPLICAS=2}: after the run with one gateway and one pool-service, a second
 * of each is started on the same NATS and Valkey and the same load (same rate, same durations) is
 * spread over both gateways; p50/p99 of both are printed side by side with the load average.
 */
public final class AcquireBench {

  static final String TEMPLATE = "hello";

  /**
   * Requests slower than this (the target p99) make the tail the bench explains; the machine's CPU
   * is read every 10 ms, so the spans they waited are widened by one period.
   */
  private static final long TAIL_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10);

  private static final long TAIL_MARGIN_NANOS =
      java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10);
  private static final String PREFIX = "bench";
  static final String TICKET_SECRET = "bench-" + UUID.randomUUID();

  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    int warmupSeconds = args.length > 3 ? Integer.parseInt(args[3]) : 30;
    int replicas = Integer.parseInt(System.getenv().getOrDefault("TRYNOW_BENCH_REPLICAS", "1"));
    if (replicas < 1 || replicas > 2) {
      throw new IllegalArgumentException("TRYNOW_BENCH_REPLICAS must be 1 or 2");
    }
    int total = rate * (seconds + maxWarmUp(warmupSeconds)) * replicas;
    // each ready demo holds a port of 1024-65000: at most 63,000
    int ready =
        args.length > 2
            ? Integer.parseInt(args[2])
            : Math.min(63_000, Math.max(10_000, total + 1000));
    Path root = Path.of("").toAbsolutePath();
    Path gatewayJar = root.resolve("api-gateway/target/quarkus-app/quarkus-run.jar");
    Path poolJar = root.resolve("pool-service/target/quarkus-app/quarkus-run.jar");
    BenchServices.build(root, gatewayJar, poolJar);

    try (NatsServer nats = new NatsServer();
        ValkeyServer valkey = new ValkeyServer(false)) {
      nats.start();
      valkey.start();
      try (Store store = Store.connect(valkey.url(), PREFIX)) {
        store.capacity().initPorts(1024, 65000);
        long t0 = System.nanoTime();
        fill(store, ready);
        System.out.printf(
            "acquire bench: %d ready '%s' demos filled through the store in %.1f s%n",
            ready, TEMPLATE, (System.nanoTime() - t0) / 1e9);

        int poolPort = FreePorts.one();
        int gatewayPort = FreePorts.one();
        List<String> common =
            List.of(
                "-Dquarkus.redis.hosts=" + valkey.url(),
                "-Dtrynow.nats.url=" + nats.url(),
                "-Dtrynow.valkey.prefix=" + PREFIX,
                "-Dquarkus.config.locations=" + SampleImage.templateFile(),
                "-Dtrynow.templates." + TEMPLATE + ".min-ready=0",
                "-Dtrynow.templates." + TEMPLATE + ".max-total=" + (ready + 1000),
                "-Dquarkus.log.level=WARN");
        Process pool = BenchServices.pool(poolJar, poolPort, common, "pool-service");
        Process gateway = BenchServices.gateway(gatewayJar, gatewayPort, common, "api-gateway");
        try {
          BenchServices.awaitReady(poolPort, pool, "pool-service");
          BenchServices.awaitReady(gatewayPort, gateway, "api-gateway");
          Stats[] floor = Floor.floor(store, nats.url(), 5000);
          String url = "http://127.0.0.1:" + gatewayPort + "/v1/demos";
          Phase one =
              measure(
                  "POST /v1/demos (201) through gateway+pool",
                  List.of(url),
                  new long[] {gateway.pid(), pool.pid()},
                  new int[] {gatewayPort, poolPort},
                  rate,
                  seconds,
                  warmupSeconds,
                  store,
                  nats,
                  valkey,
                  floor);
          if (replicas == 2) {
            int pool2Port = FreePorts.one();
            int gateway2Port = FreePorts.one();
            Process pool2 = BenchServices.pool(poolJar, pool2Port, common, "pool-service-2");
            Process gateway2 =
                BenchServices.gateway(gatewayJar, gateway2Port, common, "api-gateway-2");
            try {
              BenchServices.awaitReady(pool2Port, pool2, "pool-service-2");
              BenchServices.awaitReady(gateway2Port, gateway2, "api-gateway-2");
              Phase two =
                  measure(
                      "POST /v1/demos (201) 2 gateways+2 pools",
                      List.of(url, "http://127.0.0.1:" + gateway2Port + "/v1/demos"),
                      new long[] {gateway.pid(), gateway2.pid(), pool.pid(), pool2.pid()},
                      new int[] {gatewayPort, gateway2Port, poolPort, pool2Port},
                      rate,
                      seconds,
                      warmupSeconds,
                      store,
                      nats,
                      valkey,
                      floor);
              System.out.println();
              System.out.printf(
                  "replicas side by side at %d acquires/s for %d s each (same run, same servers):%n",
                  rate, seconds);
              one.print("1 gateway + 1 pool-service  ");
              two.print("2 gateways + 2 pool-services");
            } finally {
              BenchServices.stop(gateway2);
              BenchServices.stop(pool2);
            }
          }
        } finally {
          BenchServices.stop(gateway);
          BenchServices.stop(pool);
        }
      }
    }
  }

  /** Seconds of warm-up at most ({@code TRYNOW_BENCH_WARMUP_MAX}, default 60). */
  static int maxWarmUp(int warmupSeconds) {
    return Math.max(
        warmupSeconds,
        Integer.parseInt(System.getenv().getOrDefault("TRYNOW_BENCH_WARMUP_MAX", "60")));
  }

  /**
   * The warm-up: {@code warmupSeconds} of the load, then 5 s more at a time until the services' JIT
   * compilers used at most 5 % of a core in each of the last two 5 s windows, up to {@link
   * #maxWarmUp}. The bench measures a hot JVM: on this 2-core machine the gateway's C2 still
   * compiled (25-60 % of a core, ~29 CPU-s in all) for ~27 s of the measured minute after a fixed
   * 30 s warm-up, and that part of the minute made the whole p99 (183 / 62 / 49 ms in its first
   * three 10 s, 13-16 ms after). One quiet window was not enough: C2 compiles in bursts, and a run
   * of session 12 stopped at 40 s on a window of 0.06 CPU-s, then the gateway's C2 used 1.3 CPU-s
   * in the first 20 s of the measured minute, whose p99 was 20 / 38 ms against 5-11 after. Returns
   * the seconds warmed.
   */
  static int warmUp(List<String> urls, int rate, int warmupSeconds, long[] servicePids)
      throws Exception {
    int step = 5;
    int max = maxWarmUp(warmupSeconds);
    int warmed = Math.max(0, warmupSeconds - 2 * step);
    long quietMs = step * 1000 / 20;
    OpenLoad.load(urls, rate, warmed, null);
    long[] windows = {Long.MAX_VALUE, Long.MAX_VALUE}; // the last two windows' JIT ms, newest first
    long[][] last; // the compilers' ticks at the start and the end of the last window
    long[][] now = BenchServices.jitTicksEach(servicePids);
    do {
      last = now;
      OpenLoad.load(urls, rate, step, null);
      warmed += step;
      now = BenchServices.jitTicksEach(servicePids);
      windows[1] = windows[0];
      windows[0] = (sum(now) - sum(last)) * 10;
    } while ((windows[0] > quietMs || windows[1] > quietMs) && warmed < max);
    System.out.printf(
        "warm-up: %d s (the services' JIT compilers used %d and %d ms of CPU in its last two %d s"
            + "%s; in its last %d s: %s)%n",
        warmed,
        windows[1] == Long.MAX_VALUE ? -1 : windows[1],
        windows[0],
        step,
        windows[0] > quietMs || windows[1] > quietMs
            ? ": still compiling at TRYNOW_BENCH_WARMUP_MAX"
            : "",
        step,
        jitLine(servicePids.length, last, now));
    return warmed;
  }

  private static long sum(long[][] ticks) {
    long s = 0;
    for (long[] t : ticks) {
      s += t[0] + t[1];
    }
    return s;
  }

  /** Per service, the CPU-s its C1 and C2 compiler threads used between two readings. */
  static String jitLine(int services, long[][] from, long[][] to) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < services; i++) {
      b.append(i == 0 ? "" : ", ")
          .append(serviceName(i, services))
          .append(String.format(" C1 %.2f", (to[i][0] - from[i][0]) / 100.0))
          .append(String.format(" C2 %.2f CPU-s", (to[i][1] - from[i][1]) / 100.0));
    }
    return b.toString();
  }

  /** The i-th of {@code n} services: gateways first, then pool-services (#k with replicas). */
  static String serviceName(int i, int n) {
    return (i < n / 2 ? "api-gateway" : "pool-service") + (n > 2 ? "#" + (i % (n / 2) + 1) : "");
  }

  /** The label of the measured load's i-th pid: the services, then the servers and this JVM. */
  private static String who(int i, int services) {
    return i < services
        ? serviceName(i, services)
        : new String[] {"nats-server", "valkey", "load generator"}[i - services];
  }

  /** The figures of one measured load, for the side-by-side summary. */
  record Phase(double p50, double p99, long errors, int created, double loadAverage) {
    void print(String what) {
      System.out.printf(
          "  %s  p50=%7.3f ms  p99=%7.3f ms  201=%d  errors=%d  load average %.2f%n",
          what, p50, p99, created, errors, loadAverage);
    }
  }

  /** The histograms read from the i-th of {@code n} service ports (gateways first, then pools). */
  private static String stagePrefix(int i, int n) {
    return i < n / 2 ? "trynow_gateway_acquire" : ServerStages.POOL;
  }

  /**
   * Warm-up, then the measured open-loop load spread round-robin over {@code urls}, with the floor
   * probes running beside it; prints the figures, CPU per process and the services' own stages.
   */
  static Phase measure(
      String name,
      List<String> urls,
      long[] servicePids,
      int[] servicePorts,
      int rate,
      int seconds,
      int warmupSeconds,
      Store store,
      NatsServer nats,
      ValkeyServer valkey,
      Stats[] floor)
      throws Exception {
    System.out.printf(
        "load (%s): %d acquires/s, at least %d s warm-up (not counted), %d s measured, open loop%n",
        name, rate, warmupSeconds, seconds);
    warmUp(urls, rate, warmupSeconds, servicePids);
    // the services' stage histograms now, so that their figures below are the measured load's
    ServerStages.Snapshot[] stagesBefore = new ServerStages.Snapshot[servicePorts.length];
    for (int i = 0; i < servicePorts.length; i++) {
      stagesBefore[i] = ServerStages.read(servicePorts[i], stagePrefix(i, servicePorts.length));
    }
    Stats acquire = new Stats(name);
    long[] pids = new long[servicePids.length + 3];
    System.arraycopy(servicePids, 0, pids, 0, servicePids.length);
    pids[servicePids.length] = nats.pid();
    pids[servicePids.length + 1] = valkey.pid();
    pids[servicePids.length + 2] = ProcessHandle.current().pid();
    long[] cpuBefore = BenchServices.cpu(pids);
    long[][] jitBefore = BenchServices.jitTicksEach(servicePids);
    Stats[] underLoad;
    int[] outcome;
    Map<Long, String> labels = new java.util.HashMap<>();
    for (int i = 0; i < pids.length; i++) {
      labels.put(pids[i], who(i, servicePids.length));
    }
    MachineCpu machine = MachineCpu.start(labels, 10);
    try (Floor.Probe probe = new Floor.Probe(store, nats.url())) {
      Thread side = Thread.ofVirtual().start(probe::runUntilStopped);
      outcome = OpenLoad.load(urls, rate, seconds, acquire);
      probe.stop();
      side.join();
      underLoad = probe.stats;
    } finally {
      machine.close();
    }
    long[] cpuAfter = BenchServices.cpu(pids);
    long[][] jitAfter = BenchServices.jitTicksEach(servicePids);
    double loadAverage =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    System.out.println();
    acquire.print(System.out);
    acquire.printSlices(System.out, 10);
    for (Stats s : floor) {
      s.print(System.out);
    }
    for (Stats s : underLoad) {
      s.print(System.out);
    }
    StringBuilder cpuLine = new StringBuilder("CPU used during the measured load (cores):");
    for (int i = 0; i < pids.length; i++) {
      cpuLine.append(
          String.format(
              " %s=%.2f",
              who(i, servicePids.length), (cpuAfter[i] - cpuBefore[i]) / 100.0 / seconds));
    }
    System.out.println(cpuLine);
    // what had the cores while the tail was made (issue #15: on a 2-core VM, a kernel thread)
    machine.printTail(
        System.out, acquire.slowWindows(TAIL_NANOS, TAIL_MARGIN_NANOS), TAIL_NANOS, 6);
    System.out.println(
        "JIT compilers during the measured load: "
            + jitLine(servicePids.length, jitBefore, jitAfter));
    System.out.printf(
        "machine: %d cores, load average %.2f (other processes share them)%n",
        Runtime.getRuntime().availableProcessors(), loadAverage);
    System.out.println(
        "server-side stages (count, p50/p90/p99 ms; the measured load's acquires only, warm-up"
            + " excluded):");
    for (int i = 0; i < servicePorts.length; i++) {
      ServerStages.read(servicePorts[i], stagePrefix(i, servicePorts.length))
          .since(stagesBefore[i])
          .printQuantiles();
    }
    System.out.printf(
        "outcomes: 201=%d other=%d (errors counted above); floor (p50s printed above): a warm"
            + " hit is one Lua call (the gateway's acquire_ready), an acquire through pool-service"
            + " Lua + PubAck + request/reply + Lua%n",
        outcome[0], outcome[1]);
    return new Phase(
        acquire.percentileMs(50),
        acquire.percentileMs(99),
        acquire.errors(),
        outcome[0],
        loadAverage);
  }

  /** Every acquire gets a ready demo: reserve, claim, port, started, ready, as the workers do. */
  static void fill(Store store, int n) throws Exception {
    AtomicInteger made = new AtomicInteger();
    int threads = 16;
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        fs.add(
            pool.submit(() -> {
              while (made.get() < n) {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                  ids.add(Ids.newInstanceId());
                }
                List<String> created =
                    store
                        .sizing()
                        .reserveProvision(
                            new ReserveArgs(TEMPLATE, 10_000_000, 10_000_000, 10_000_000, ids))
                        .created();
                for (String id : created) {
                  ClaimResult.Claimed c =
                      (ClaimResult.Claimed)
                          store.claims().claimProvision(id, Duration.ofMinutes(10));
                  if (!(store.provisioning().allocatePort(id, c.fence())
                      instanceof PortResult.Allocated)) {
                    throw new IllegalStateException("no port for " + id);
                  }
                  Changed s =
                      (Changed) store.provisioning().markStarted(id, c.fence(), "trynow-" + id);
                  ReadyResult r =
                      store
                          .provisioning()
                          .markReady(s.instance().id(), "http://" + id + ".demo.localhost/");
                  if (!(r instanceof ReadyResult.Pooled)) {
                    throw new IllegalStateException("not pooled: " + r);
                  }
                  made.incrementAndGet();
                }
              }
              return null;
            }));
      }
      for (var f : fs) {
        f.get();
      }
    }
  }
}
