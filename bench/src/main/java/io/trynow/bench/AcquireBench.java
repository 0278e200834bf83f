package io.trynow.bench;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
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
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The visitor's acquire through the real api-gateway and pool-service (each its own process, from
 * its built jar) on a real nats-server and Valkey, with the pool pre-filled through the store: an
 * open-loop load of {@code rate} acquires/s for {@code seconds}, latency measured from each
 * request's scheduled start (no coordinated omission). Printed next to the raw floor measured in
 * the same run: one Lua call, one JetStream PubAck, one core NATS request/reply.
 *
 * <p>{@code ./trynow bench acquire [rate/s] [seconds] [ready] [warm-up seconds]} (defaults 500, 60,
 * enough ready demos for every acquire and at least 10,000, 30). The services run with {@code
 * -XX:+UseSerialGC -Xms256m -Xmx512m -Xmn128m} plus {@code TRYNOW_BENCH_JVM_OPTS} (space-separated)
 * when set; {@code TRYNOW_BENCH_JFR=DIR} records a JFR profile of each service. Both services are
 * rebuilt first ({@code TRYNOW_BENCH_SKIP_BUILD=1} skips that when their jars exist).
 *
 * <p>{@code TRYNOW_BENCH_REPLICAS=2}: after the run with one gateway and one pool-service, a second
 * of each is started on the same NATS and Valkey and the same load (same rate, same durations) is
 * spread over both gateways; p50/p99 of both are printed side by side with the load average.
 */
public final class AcquireBench {

  private static final String TEMPLATE = "hello";
  private static final String PREFIX = "bench";
  private static final String TICKET_SECRET = "bench-" + UUID.randomUUID();

  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    int warmupSeconds = args.length > 3 ? Integer.parseInt(args[3]) : 30;
    int replicas = Integer.parseInt(System.getenv().getOrDefault("TRYNOW_BENCH_REPLICAS", "1"));
    if (replicas < 1 || replicas > 2) {
      throw new IllegalArgumentException("TRYNOW_BENCH_REPLICAS must be 1 or 2");
    }
    int total = rate * (seconds + warmupSeconds) * replicas;
    int ready = args.length > 2 ? Integer.parseInt(args[2]) : Math.max(10_000, total + 1000);
    Path root = Path.of("").toAbsolutePath();
    Path gatewayJar = root.resolve("api-gateway/target/quarkus-app/quarkus-run.jar");
    Path poolJar = root.resolve("pool-service/target/quarkus-app/quarkus-run.jar");
    build(root, gatewayJar, poolJar);

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
        Process pool = pool(poolJar, poolPort, common, "pool-service");
        Process gateway = gateway(gatewayJar, gatewayPort, common, "api-gateway");
        try {
          awaitReady(poolPort, pool, "pool-service");
          awaitReady(gatewayPort, gateway, "api-gateway");
          Stats[] floor = floor(store, nats.url(), 5000);
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
            Process pool2 = pool(poolJar, pool2Port, common, "pool-service-2");
            Process gateway2 = gateway(gatewayJar, gateway2Port, common, "api-gateway-2");
            try {
              awaitReady(pool2Port, pool2, "pool-service-2");
              awaitReady(gateway2Port, gateway2, "api-gateway-2");
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
              stop(gateway2);
              stop(pool2);
            }
          }
        } finally {
          stop(gateway);
          stop(pool);
        }
      }
    }
  }

  /** The figures of one measured load, for the side-by-side summary. */
  record Phase(double p50, double p99, long errors, int created, double loadAverage) {
    void print(String what) {
      System.out.printf(
          "  %s  p50=%7.3f ms  p99=%7.3f ms  201=%d  errors=%d  load average %.2f%n",
          what, p50, p99, created, errors, loadAverage);
    }
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
        "load (%s): %d acquires/s, %d s warm-up (not counted), %d s measured, open loop%n",
        name, rate, warmupSeconds, seconds);
    load(urls, rate, warmupSeconds, null);
    Stats acquire = new Stats(name);
    long[] pids = new long[servicePids.length + 3];
    System.arraycopy(servicePids, 0, pids, 0, servicePids.length);
    pids[servicePids.length] = nats.pid();
    pids[servicePids.length + 1] = valkey.pid();
    pids[servicePids.length + 2] = ProcessHandle.current().pid();
    long[] cpuBefore = cpu(pids);
    Stats[] underLoad;
    int[] outcome;
    try (Probe probe = new Probe(store, nats.url())) {
      Thread side = Thread.ofVirtual().start(probe::runUntilStopped);
      outcome = load(urls, rate, seconds, acquire);
      probe.stop();
      side.join();
      underLoad = probe.stats;
    }
    long[] cpuAfter = cpu(pids);
    double loadAverage =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    System.out.println();
    acquire.print(System.out);
    for (Stats s : floor) {
      s.print(System.out);
    }
    for (Stats s : underLoad) {
      s.print(System.out);
    }
    StringBuilder cpuLine = new StringBuilder("CPU used during the measured load (cores):");
    for (int i = 0; i < pids.length; i++) {
      String who =
          i < servicePids.length
              ? (i < servicePids.length / 2 ? "api-gateway" : "pool-service")
                  + (servicePids.length > 2 ? "#" + (i % (servicePids.length / 2) + 1) : "")
              : new String[] {"nats-server", "valkey", "load generator"}[i - servicePids.length];
      cpuLine.append(
          String.format(" %s=%.2f", who, (cpuAfter[i] - cpuBefore[i]) / 100.0 / seconds));
    }
    System.out.println(cpuLine);
    System.out.printf(
        "machine: %d cores, load average %.2f (other processes share them)%n",
        Runtime.getRuntime().availableProcessors(), loadAverage);
    System.out.println("server-side stages (p50/p90/p99 over the last ~30 s, ms):");
    for (int i = 0; i < servicePorts.length; i++) {
      printQuantiles(
          servicePorts[i],
          i < servicePorts.length / 2 ? "trynow_gateway_acquire" : "trynow_pool_acquire_stage");
    }
    System.out.printf(
        "outcomes: 201=%d other=%d (errors counted above); floor sum of p50s printed above%n",
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

  /** The raw floor, each measured alone and sequentially: Lua call, PubAck, core request/reply. */
  static Stats[] floor(Store store, String natsUrl, int n) throws Exception {
    Stats lua = new Stats("floor: one Lua call (FCALL get_request)");
    Stats pubAck = new Stats("floor: JetStream publish + PubAck");
    Stats reqReply = new Stats("floor: core NATS request/reply");
    for (int i = 0; i < n / 5; i++) {
      store.request(Ids.newRequestId());
    }
    lua.start();
    for (int i = 0; i < n; i++) {
      long s = System.nanoTime();
      store.request(Ids.newRequestId());
      lua.record(System.nanoTime() - s);
    }
    lua.stop();
    try (Connection nc = Nats.connect(natsUrl)) {
      nc.jetStreamManagement()
          .addStream(
              StreamConfiguration.builder()
                  .name("BENCH_FLOOR")
                  .subjects("bench.floor.>")
                  .storageType(StorageType.File)
                  .build());
      JetStream js = nc.jetStream();
      byte[] payload = new byte[256];
      for (int i = 0; i < n + n / 5; i++) {
        long s = System.nanoTime();
        js.publish(
            "bench.floor.x", payload, PublishOptions.builder().messageId("floor-" + i).build());
        if (i == n / 5) {
          pubAck.start();
        }
        if (i >= n / 5) {
          pubAck.record(System.nanoTime() - s);
        }
      }
      pubAck.stop();
      Dispatcher echo = nc.createDispatcher(m -> nc.publish(m.getReplyTo(), m.getData()));
      echo.subscribe("bench.echo");
      nc.flush(Duration.ofSeconds(2));
      for (int i = 0; i < n + n / 5; i++) {
        long s = System.nanoTime();
        nc.request("bench.echo", payload, Duration.ofSeconds(2));
        if (i == n / 5) {
          reqReply.start();
        }
        if (i >= n / 5) {
          reqReply.record(System.nanoTime() - s);
        }
      }
      reqReply.stop();
    }
    return new Stats[] {lua, pubAck, reqReply};
  }

  /**
   * Open-loop load; returns {201 count, other count}. The client is a minimal HTTP/1.1 client over
   * pooled keep-alive sockets: the load generator shares the machine's cores with everything it
   * measures, so it should cost as little CPU as possible.
   */
  static int[] load(String url, int rate, int seconds, Stats stats) throws Exception {
    return load(List.of(url), rate, seconds, stats);
  }

  /** Open-loop load spread round-robin over {@code urls} (one per gateway replica). */
  static int[] load(List<String> urls, int rate, int seconds, Stats stats) throws Exception {
    byte[] body = ("{\"template\":\"" + TEMPLATE + "\"}").getBytes();
    int targets = urls.size();
    int[] ports = new int[targets];
    byte[][] requests = new byte[targets][];
    List<java.util.concurrent.ConcurrentLinkedQueue<RawConnection>> idles = new ArrayList<>();
    for (int t = 0; t < targets; t++) {
      URI u = URI.create(urls.get(t));
      ports[t] = u.getPort();
      requests[t] =
          ("POST "
                  + u.getPath()
                  + " HTTP/1.1\r\nHost: 127.0.0.1:"
                  + u.getPort()
                  + "\r\nContent-Type: application/json\r\nContent-Length: "
                  + body.length
                  + "\r\n\r\n"
                  + new String(body))
              .getBytes();
      idles.add(new java.util.concurrent.ConcurrentLinkedQueue<>());
    }
    int n = rate * seconds;
    long interval = TimeUnit.SECONDS.toNanos(1) / rate;
    AtomicInteger created = new AtomicInteger();
    AtomicInteger other = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(n);
    if (stats != null) {
      stats.start();
    }
    long start = System.nanoTime();
    try (ExecutorService exec = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < n; i++) {
        long due = start + i * interval;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        int target = i % targets;
        java.util.concurrent.ConcurrentLinkedQueue<RawConnection> idle = idles.get(target);
        byte[] request = requests[target];
        exec.submit(() -> {
          RawConnection c = idle.poll();
          try {
            if (c == null) {
              c = new RawConnection(ports[target]);
            }
            int status = c.exchange(request);
            long latency = System.nanoTime() - due;
            idle.add(c);
            if (status == 201) {
              created.incrementAndGet();
              if (stats != null) {
                stats.record(latency);
              }
            } else {
              other.incrementAndGet();
              if (stats != null) {
                stats.error();
              }
            }
          } catch (IOException e) {
            if (c != null) {
              c.close();
            }
            other.incrementAndGet();
            if (stats != null) {
              stats.error();
            }
          } finally {
            done.countDown();
          }
        });
      }
      done.await(120, TimeUnit.SECONDS);
    }
    if (stats != null) {
      stats.stop();
    }
    for (var idle : idles) {
      RawConnection c;
      while ((c = idle.poll()) != null) {
        c.close();
      }
    }
    return new int[] {created.get(), other.get()};
  }

  /** One keep-alive HTTP/1.1 connection: write a request, read status, headers and body. */
  static final class RawConnection {
    private final java.net.Socket socket;
    private final java.io.InputStream in;
    private final java.io.OutputStream out;

    RawConnection(int port) throws IOException {
      socket = new java.net.Socket("127.0.0.1", port);
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(30_000);
      in = new java.io.BufferedInputStream(socket.getInputStream(), 8192);
      out = socket.getOutputStream();
    }

    int exchange(byte[] request) throws IOException {
      return exchange(request, false).getKey();
    }

    /** Status and, when {@code body} is asked for, the response body (else null). */
    java.util.Map.Entry<Integer, byte[]> exchange(byte[] request, boolean body) throws IOException {
      out.write(request);
      out.flush();
      String status = line();
      if (status.length() < 12) {
        throw new IOException("bad status line: " + status);
      }
      int code = Integer.parseInt(status.substring(9, 12));
      int length = 0;
      String h;
      while (!(h = line()).isEmpty()) {
        if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
          length = Integer.parseInt(h.substring(15).strip());
        }
      }
      if (body) {
        return java.util.Map.entry(code, in.readNBytes(length));
      }
      in.skipNBytes(length);
      return java.util.Map.entry(code, new byte[0]);
    }

    private String line() throws IOException {
      StringBuilder sb = new StringBuilder(64);
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        if (c != '\r') {
          sb.append((char) c);
        }
      }
      if (c == -1) {
        throw new IOException("connection closed");
      }
      return sb.toString();
    }

    void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  /** api-gateway's management port (health, metrics) by its public port; the others have none. */
  static final java.util.Map<Integer, Integer> MANAGEMENT =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Where a service answers {@code /q/*}: the gateway's management port, else its port. */
  static int q(int port) {
    return MANAGEMENT.getOrDefault(port, port);
  }

  /** A pool-service process: no live cap per address (all load comes from one). */
  static Process pool(Path jar, int port, List<String> common, String name) throws IOException {
    return service(jar, port, common, List.of("-Dtrynow.pool.max-live-per-ip=0"), name);
  }

  /** An api-gateway process: no rate limit in the way. */
  static Process gateway(Path jar, int port, List<String> common, String name) throws IOException {
    return service(
        jar,
        port,
        common,
        List.of(
            "-Dtrynow.gateway.acquires-per-hour=100000000",
            "-Dtrynow.gateway.acquires-per-day=100000000",
            "-Dtrynow.gateway.reply-wait=5s",
            // production refuses to start without one; replicas share it (tickets are checked
            // by whichever replica a visitor reaches)
            "-Dtrynow.gateway.ticket-secret=" + TICKET_SECRET),
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
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Xms256m");
    cmd.add("-Xmx512m");
    cmd.add("-Xmn128m");
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
   * Prints the services' own p50/p90/p99 (interpolated in the histogram buckets of /q/metrics, as
   * Prometheus' histogram_quantile does).
   */
  static void printQuantiles(int port, String prefix) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + q(port) + "/q/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    // series (name + labels without le) -> (le -> cumulative count)
    java.util.Map<String, java.util.TreeMap<Double, Double>> buckets = new java.util.TreeMap<>();
    for (String line : r.body().split("\n")) {
      if (!line.startsWith(prefix) || !line.contains("_bucket{")) {
        continue;
      }
      String labels = line.substring(line.indexOf('{') + 1, line.indexOf('}'));
      String le = labels.replaceAll(".*le=\"([^\"]+)\".*", "$1");
      String key =
          line.substring(0, line.indexOf("_bucket{"))
              + " "
              + labels.replaceAll(",?le=\"[^\"]+\"", "");
      double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
      double count = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      buckets.computeIfAbsent(key, k -> new java.util.TreeMap<>()).put(bound, count);
    }
    buckets.forEach((k, b) ->
        System.out.printf(
            "  %s  p50=%.3f p90=%.3f p99=%.3f ms%n",
            k, quantile(b, 0.5) * 1000, quantile(b, 0.9) * 1000, quantile(b, 0.99) * 1000));
  }

  /** histogram_quantile: linear interpolation inside the bucket that holds the rank. */
  static double quantile(java.util.TreeMap<Double, Double> cumulative, double q) {
    double total = cumulative.lastEntry().getValue();
    if (total == 0) {
      return Double.NaN;
    }
    double rank = q * total;
    double lower = 0;
    double below = 0;
    for (var e : cumulative.entrySet()) {
      if (e.getValue() >= rank) {
        if (e.getKey().isInfinite()) {
          return lower;
        }
        double inBucket = e.getValue() - below;
        return inBucket == 0
            ? e.getKey()
            : lower + (e.getKey() - lower) * (rank - below) / inBucket;
      }
      lower = e.getKey();
      below = e.getValue();
    }
    return lower;
  }

  /** The floor probes, sampled at a low rate while the load runs. */
  static final class Probe implements AutoCloseable {
    final Stats[] stats = {
      new Stats("under load: one Lua call"),
      new Stats("under load: JetStream PubAck"),
      new Stats("under load: core request/reply")
    };
    private final Store store;
    private final Connection nc;
    private final JetStream js;
    private volatile boolean stopped;
    private int seq;

    Probe(Store store, String natsUrl) throws Exception {
      this.store = store;
      this.nc = Nats.connect(natsUrl);
      this.js = nc.jetStream();
      Dispatcher echo = nc.createDispatcher(m -> nc.publish(m.getReplyTo(), m.getData()));
      echo.subscribe("bench.echo2");
      nc.flush(Duration.ofSeconds(2));
    }

    void runUntilStopped() {
      byte[] payload = new byte[256];
      while (!stopped) {
        try {
          long s = System.nanoTime();
          store.request(Ids.newRequestId());
          stats[0].record(System.nanoTime() - s);
          s = System.nanoTime();
          js.publish(
              "bench.floor.y",
              payload,
              PublishOptions.builder().messageId("probe-" + seq++).build());
          stats[1].record(System.nanoTime() - s);
          s = System.nanoTime();
          nc.request("bench.echo2", payload, Duration.ofSeconds(2));
          stats[2].record(System.nanoTime() - s);
          Thread.sleep(20);
        } catch (Exception e) {
          stats[0].error();
        }
      }
    }

    void stop() {
      stopped = true;
    }

    @Override
    public void close() throws InterruptedException {
      nc.close();
    }
  }

  /**
   * Builds api-gateway and pool-service, so the bench never measures stale jars (skipped with
   * {@code TRYNOW_BENCH_SKIP_BUILD=1} when both jars exist).
   */
  static void build(Path root, Path... jars) throws Exception {
    boolean present = true;
    for (Path j : jars) {
      present &= Files.isRegularFile(j);
    }
    if (present && "1".equals(System.getenv("TRYNOW_BENCH_SKIP_BUILD"))) {
      return;
    }
    System.out.println("building api-gateway and pool-service");
    Process p =
        new ProcessBuilder(
                "./mvnw",
                "-B",
                "-q",
                "-pl",
                "api-gateway,pool-service",
                "-am",
                "package",
                "-DskipTests",
                "-Dspotless.check.skip=true")
            .directory(root.toFile())
            .inheritIO()
            .start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("build of api-gateway and pool-service failed");
    }
  }
}
