package io.trynow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.trynow.platform.state.PoolDemand;
import io.trynow.platform.state.PoolStats;
import io.trynow.platform.state.Store;
import io.trynow.testsupport.SampleImage;
import io.trynow.testsupport.SloDay;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A day of visitors compressed into a few minutes, against real containers on the whole local
 * stack: the pool sized from a service target (hit rate {@value #HIT_RATE}, floor 1), then the
 * smallest fixed {@code min-ready} pool that meets the same hit rate on the same arrivals (same
 * seed). Arrivals are Poisson with a day-shaped rate — a quiet night, a busy afternoon, peak {@code
 * peak}/s — plus one flash crowd at 60 % of the day ({@link SloDay}, shared with {@code
 * PoolDaySim}); each visitor keeps its demo {@code hold} seconds, then releases it. Printed per
 * run: % served warm (all, and outside the crowd), wait p95 of all visitors and p50/max of the
 * queued ones, container-seconds spent ready and idle (ready count sampled every 250 ms), the
 * target the pool kept, next to the load average.
 *
 * <p>The demo app boots in {@value #BOOT_SECONDS} s (the sample image with a start delay, built
 * here from trynow/sample-hello:1): busybox alone is ready in ~0.4 s, so demand over the refill
 * time would stay below one visitor and any pool of two would do — real apps take seconds.
 *
 * <p>The smallest fixed pool: given as {@code fixed}, or found — the measured provisioning times of
 * the target-driven run replayed on the arrivals ({@link FixedPoolSim}, no engine limit: an upper
 * bound on the warm share) give the smallest candidate, then real runs go up from it until one
 * meets the hit rate; with {@code fixed=verify} the candidate below the one that met is run for
 * real too, to show it misses; {@code fixed=none} runs the target-driven pool alone (a third of the
 * time: for iterating on the model) and prints the replayed fixed pools only.
 *
 * <p>{@code ./trynow bench slo [minutes=3] [fixed=auto|verify|none|N] [crowd=8] [hold s=20]
 * [seed=1] [peak/s=0.9]}
 */
public final class SloBench {

  static final String TEMPLATE = "hello";
  static final double HIT_RATE = 0.95;
  static final int BOOT_SECONDS = 2;
  static final String IMAGE = "trynow/sample-hello-boot:1";

  /** The template's max-in-flight in every run: provisions under way at once. */
  static final int SLOTS = 4;

  /**
   * One run: visitors, served warm, the waits of those served from the queue, the visitors never
   * served (a timeout, an error answer: a miss, counted, never an abort), idle container-seconds,
   * warm visitors of the flash crowd, and the smallest / largest stored target.
   */
  record Result(
      int visitors,
      int warm,
      List<Double> waitsMs,
      List<String> misses,
      double idleSeconds,
      int crowd,
      int crowdWarm,
      int targetMin,
      int targetMax,
      List<Long> provisionMs) {
    double warmShare() {
      return (double) warm / visitors;
    }
  }

  public static void main(String[] args) throws Exception {
    int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    String fixedArg = args.length > 1 ? args[1] : "auto";
    int crowd = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    int hold = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    long seed = args.length > 4 ? Long.parseLong(args[4]) : 1;
    double peak = args.length > 5 ? Double.parseDouble(args[5]) : 0.9;
    Path root = SampleImage.RepoRoot.find();
    HttpClient http = Visitor.client();
    List<Double> arrivals = SloDay.schedule(minutes, peak, crowd, seed);
    double crowdFrom = SloDay.crowdStart(minutes * 60.0);
    System.out.printf(
        "slo bench: %d arrivals over %d min (seed %d, peak %.2f/s, flash crowd of %d at 60 %%),"
            + " hold %d s, app boot %d s, stated hit rate %.0f %% (load %s)%n",
        arrivals.size(),
        minutes,
        seed,
        peak,
        crowd,
        hold,
        BOOT_SECONDS,
        HIT_RATE * 100,
        LocalStack.load());
    try (LocalStack stack = new LocalStack(root)) {
      stack.build();
      bootImage(stack);
      Map<String, String> base = new HashMap<>(CrowdBench.env(200, 0, SLOTS));
      base.put("trynow.templates.hello.image", IMAGE);
      Map<String, String> sloEnv = new HashMap<>(base);
      sloEnv.put("trynow.templates.hello.min-ready", "1");
      sloEnv.put("trynow.templates.hello.slo.hit-rate", String.valueOf(HIT_RATE));
      sloEnv.put("trynow.templates.hello.slo.window", "30s");
      sloEnv.put("trynow.templates.hello.slo.burst-window", "5s");
      sloEnv.put("trynow.templates.hello.slo.scale-down-step", "5s");
      sloEnv.put("trynow.templates.hello.slo.provision-estimate", (BOOT_SECONDS + 1) + "s");
      Result slo = run(stack, http, sloEnv, arrivals, hold, 1, crowd, crowdFrom);
      String sloName = "target-driven (hit-rate " + HIT_RATE + ", floor 1)";
      print(sloName, slo);

      if (fixedArg.equals("none")) {
        int m = candidate(arrivals, slo.provisionMs());
        System.out.printf(
            "%nfixed=none: no fixed pool run; the replay's smallest would be min-ready %d (load"
                + " %s)%n",
            m, LocalStack.load());
        return;
      }
      List<Result> fixed = new ArrayList<>();
      List<Integer> sizes = new ArrayList<>();
      int m;
      boolean verify = fixedArg.equals("verify");
      if (fixedArg.equals("auto") || verify) {
        m = candidate(arrivals, slo.provisionMs());
      } else {
        m = Integer.parseInt(fixedArg);
        System.out.printf("fixed pool given as an argument: min-ready %d%n", m);
      }
      for (int tries = 0; tries < 3; tries++, m++) {
        Map<String, String> fixedEnv = new HashMap<>(base);
        fixedEnv.put("trynow.templates.hello.min-ready", String.valueOf(m));
        Result r = run(stack, http, fixedEnv, arrivals, hold, m, crowd, crowdFrom);
        print("fixed min-ready=" + m, r);
        fixed.add(r);
        sizes.add(m);
        if (r.warmShare() >= HIT_RATE || !fixedArg.equals("auto") && !verify) {
          break;
        }
      }
      int met = sizes.getLast();
      if (verify && fixed.getLast().warmShare() >= HIT_RATE && met > 1) {
        Map<String, String> fixedEnv = new HashMap<>(base);
        fixedEnv.put("trynow.templates.hello.min-ready", String.valueOf(met - 1));
        Result below = run(stack, http, fixedEnv, arrivals, hold, met - 1, crowd, crowdFrom);
        print("fixed min-ready=" + (met - 1), below);
        System.out.printf(
            "min-ready %d %s the hit rate on the real stack%n",
            met - 1, below.warmShare() >= HIT_RATE ? "ALSO MEETS" : "misses");
      }
      verdict(sloName, slo, "fixed min-ready=" + met, fixed.getLast());
    }
  }

  /**
   * The smallest fixed pool whose replay (the measured provisioning times, {@value #SLOTS}
   * provisions at once as max-in-flight allows, no other engine work) serves the stated share warm:
   * where the real runs start.
   */
  static int candidate(List<Double> arrivals, List<Long> provisionMs) {
    System.out.printf(
        "replay of fixed pools on the same arrivals with the %d provisioning times measured"
            + " (p50 %d ms, max %d ms; %d at once, no teardowns: an upper bound on warm):%n",
        provisionMs.size(),
        provisionMs.stream().sorted().toList().get(provisionMs.size() / 2),
        provisionMs.stream().mapToLong(Long::longValue).max().orElse(0),
        SLOTS);
    for (int m = 1; m <= 100; m++) {
      FixedPoolSim.Outcome o = FixedPoolSim.replay(arrivals, provisionMs, m, 50, SLOTS);
      System.out.printf(
          "  min-ready %2d: warm %5.1f %%, idle %5.0f container-s (replay)%n",
          m, o.warmShare() * 100, o.idleSeconds());
      if (o.warmShare() >= HIT_RATE) {
        return m;
      }
    }
    return 100;
  }

  static void verdict(String sloName, Result slo, String fixedName, Result fixed) {
    boolean sloMet = slo.warmShare() >= HIT_RATE;
    boolean fixedMet = fixed.warmShare() >= HIT_RATE;
    System.out.printf(
        "%nverdict: %s %s the %.0f %% hit rate (%.1f %%) with %.0f idle container-seconds; the"
            + " smallest fixed pool that met it on the real stack, %s (%.1f %%%s), spent %.0f:"
            + " %.2fx (load %s)%n",
        sloName,
        sloMet ? "met" : "MISSED",
        HIT_RATE * 100,
        slo.warmShare() * 100,
        slo.idleSeconds(),
        fixedName,
        fixed.warmShare() * 100,
        fixedMet ? "" : ", NOT met either: the search stopped",
        fixed.idleSeconds(),
        slo.idleSeconds() / Math.max(1e-9, fixed.idleSeconds()),
        LocalStack.load());
  }

  /** The sample image with a start delay: an app that takes {@value #BOOT_SECONDS} s to boot. */
  static void bootImage(LocalStack stack) throws Exception {
    Path dir = java.nio.file.Files.createTempDirectory("trynow-boot");
    java.nio.file.Files.writeString(
        dir.resolve("Dockerfile"),
        "FROM trynow/sample-hello:1\n"
            + "ENTRYPOINT [\"/bin/busybox\", \"sh\", \"-c\", \"/bin/busybox sleep "
            + BOOT_SECONDS
            + "; exec /bin/busybox httpd -f -v -p \\\"${BIND}:${PORT}\\\" -h /www\"]\n");
    stack.run(Map.of(), "docker", "build", "-q", "-t", IMAGE, dir.toString());
  }

  static Result run(
      LocalStack stack,
      HttpClient http,
      Map<String, String> env,
      List<Double> arrivals,
      int hold,
      int startReady,
      int crowd,
      double crowdFrom)
      throws Exception {
    stack.up(env);
    try (Store store = Store.connect(stack.valkeyUrl(), stack.prefix())) {
      LocalStack.awaitPool(store, TEMPLATE, startReady);
      AtomicBoolean sampling = new AtomicBoolean(true);
      double[] idle = {0};
      int[] targets = {Integer.MAX_VALUE, 0};
      // the largest refill time R' (ms), slot wait (ms) and sizing rate (/s x 1000) the stored
      // targets were computed with
      long[] sizing = {0, 0, 0};
      Thread sampler =
          Thread.ofVirtual()
              .start(() -> {
                long last = System.nanoTime();
                while (sampling.get()) {
                  try {
                    Thread.sleep(250);
                    PoolStats s = store.poolStats(TEMPLATE);
                    long now = System.nanoTime();
                    idle[0] += s.ready() * (now - last) / 1e9;
                    last = now;
                    PoolDemand pd = store.sizing().poolDemand(TEMPLATE);
                    int target = pd.target();
                    targets[0] = Math.min(targets[0], target);
                    targets[1] = Math.max(targets[1], target);
                    sizing[0] = Math.max(sizing[0], pd.refillMs());
                    sizing[1] = Math.max(sizing[1], pd.slotWaitMs());
                    sizing[2] = Math.max(sizing[2], Math.round(pd.sizingRatePerSecond() * 1000));
                  } catch (Exception e) {
                    return;
                  }
                }
              });
      AtomicInteger warm = new AtomicInteger();
      AtomicInteger crowdWarm = new AtomicInteger();
      // visitors inside the crowd's window: the crowd plus any ordinary arrival that falls in it
      // (counting the crowd's size instead gave "9 warm of 8")
      AtomicInteger inWindow = new AtomicInteger();
      List<Double> waits = Collections.synchronizedList(new ArrayList<>());
      List<String> misses = Collections.synchronizedList(new ArrayList<>());
      long t0 = System.nanoTime();
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<?>> fs = new ArrayList<>();
        for (double at : arrivals) {
          long due = t0 + (long) (at * 1e9);
          long wait = due - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(Duration.ofNanos(wait));
          }
          boolean inCrowd =
              crowd > 0 && at >= crowdFrom && at < crowdFrom + crowd * SloDay.CROWD_SPACING - 0.01;
          if (inCrowd) {
            inWindow.incrementAndGet();
          }
          fs.add(
              pool.submit(() -> {
                long s = System.nanoTime();
                String[] queuedAs = {null, null}; // request id, token: to leave the queue on a miss
                try {
                  Map.Entry<Integer, JsonNode> r =
                      Visitor.acquire(http, stack.gatewayPort(), TEMPLATE);
                  JsonNode b = r.getValue();
                  String token = b.path("access_token").asText();
                  String id;
                  if (r.getKey() == 201) {
                    warm.incrementAndGet();
                    if (inCrowd) {
                      crowdWarm.incrementAndGet();
                    }
                    id = b.path("id").asText();
                  } else if (r.getKey() == 202) {
                    queuedAs[0] = b.path("request_id").asText();
                    queuedAs[1] = token;
                    JsonNode demo =
                        Visitor.awaitAssigned(
                            http,
                            stack.gatewayPort(),
                            queuedAs[0],
                            token,
                            s,
                            Duration.ofMinutes(3));
                    queuedAs[0] = null;
                    waits.add((System.nanoTime() - s) / 1e6);
                    id = demo.path("id").asText();
                  } else {
                    throw new IllegalStateException("POST /v1/demos answered " + r.getKey());
                  }
                  Thread.sleep(Duration.ofSeconds(hold));
                  Visitor.release(http, stack.gatewayPort(), id, token);
                } catch (Exception e) {
                  misses.add(e.getMessage() == null ? e.toString() : e.getMessage());
                  if (queuedAs[0] != null) {
                    Visitor.leaveQueue(http, stack.gatewayPort(), queuedAs[0], queuedAs[1]);
                  }
                }
                return null;
              }));
        }
        // the day is over: idle time counts no further (visitors still hold or wait)
        sampling.set(false);
        sampler.join();
        for (Future<?> f : fs) {
          f.get();
        }
      }
      List<Long> ptimes = store.sizing().poolDemand(TEMPLATE).provisionTimesMs();
      // newest first; as many as the day provisioned at most (the pool's first fill came earlier)
      ptimes = ptimes.subList(0, Math.min(ptimes.size(), arrivals.size()));
      PoolDemand last = store.sizing().poolDemand(TEMPLATE);
      if (targets[1] > 0) {
        System.out.printf(
            "sizing: largest refill time used %d ms (slot wait %d ms), largest sizing rate %.2f/s;"
                + " at the end: window hit rate %.1f %%, all arrivals %.1f %%%n",
            sizing[0],
            sizing[1],
            sizing[2] / 1000.0,
            100 * last.hitRate(),
            100 * last.hitRateTotal());
      }
      System.out.printf("run done (load %s)%n", LocalStack.load());
      return new Result(
          arrivals.size(),
          warm.get(),
          waits,
          misses,
          idle[0],
          inWindow.get(),
          crowdWarm.get(),
          targets[0] == Integer.MAX_VALUE ? 0 : targets[0],
          targets[1],
          ptimes);
    }
  }

  static void print(String name, Result r) {
    List<Double> w = new ArrayList<>(r.waitsMs());
    Collections.sort(w);
    List<Double> all = new ArrayList<>(w);
    for (int i = 0; i < r.warm(); i++) {
      all.add(0.0);
    }
    for (int i = 0; i < r.misses().size(); i++) {
      all.add(Double.POSITIVE_INFINITY); // never served: worse than any wait
    }
    Collections.sort(all);
    System.out.printf(
        "%-42s warm %5.1f %% (%d/%d)  wait of all p95 %7.0f ms  queued waits p50 %7.0f ms max %7.0f"
            + " ms  idle container-seconds %7.0f  (load %s)%n",
        name,
        100.0 * r.warm() / r.visitors(),
        r.warm(),
        r.visitors(),
        CrowdBench.pct(all, 0.95),
        w.isEmpty() ? 0 : CrowdBench.pct(w, 0.5),
        w.isEmpty() ? 0 : w.getLast(),
        r.idleSeconds(),
        LocalStack.load());
    int outside = r.visitors() - r.crowd();
    System.out.printf(
        "%-42s outside the crowd warm %5.1f %% (%d/%d), crowd warm %d/%d%s%n",
        "",
        100.0 * (r.warm() - r.crowdWarm()) / Math.max(1, outside),
        r.warm() - r.crowdWarm(),
        outside,
        r.crowdWarm(),
        r.crowd(),
        r.targetMax() > 0
            ? String.format(", stored target %d..%d", r.targetMin(), r.targetMax())
            : "");
    if (!r.misses().isEmpty()) {
      System.out.printf(
          "%-42s missed %d (not served: counted as an infinite wait), first: %s%n",
          "", r.misses().size(), r.misses().getFirst());
    }
  }
}
