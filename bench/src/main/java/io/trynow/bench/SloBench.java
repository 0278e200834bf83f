package io.trynow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.trynow.platform.state.PoolStats;
import io.trynow.platform.state.Store;
import io.trynow.testsupport.SampleImage;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A day of visitors compressed into a few minutes, against real containers on the whole local
 * stack, twice with the same arrivals (same seed): a fixed {@code min-ready} pool, then the pool
 * sized from a service target (hit rate 95 %, floor 1). Arrivals are Poisson with a rate that rises
 * and falls like a day (quiet night, a busy afternoon) plus one flash crowd; each visitor keeps its
 * demo {@code hold} seconds, then releases it. Printed per run: % served warm, wait p50/p95/max of
 * the queued ones, container-seconds spent ready and idle (ready count sampled every 250 ms), next
 * to the load average.
 *
 * <p>{@code ./trynow bench slo [minutes=4] [fixed min-ready=4] [crowd=15] [hold s=20]}
 */
public final class SloBench {

  static final String TEMPLATE = "hello";

  /**
   * One run: visitors, served warm, the waits of those served from the queue, the visitors never
   * served (a timeout, an error answer: a miss, counted, never an abort) and idle
   * container-seconds.
   */
  record Result(
      int visitors, int warm, List<Double> waitsMs, List<String> misses, double idleSeconds) {}

  public static void main(String[] args) throws Exception {
    int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    int fixed = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int crowd = args.length > 2 ? Integer.parseInt(args[2]) : 15;
    int hold = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    Path root = SampleImage.RepoRoot.find();
    HttpClient http = Visitor.client();
    List<Double> arrivals = schedule(minutes, crowd, 7);
    System.out.printf(
        "slo bench: %d arrivals over %d min (flash crowd of %d at 60 %%), hold %d s (load %s)%n",
        arrivals.size(), minutes, crowd, hold, LocalStack.load());
    try (LocalStack stack = new LocalStack(root)) {
      stack.build();
      Map<String, String> base = new HashMap<>(CrowdBench.env(200, 0, 4));
      Map<String, String> fixedEnv = new HashMap<>(base);
      fixedEnv.put("trynow.templates.hello.min-ready", String.valueOf(fixed));
      Result a = run(stack, http, fixedEnv, arrivals, hold, fixed);
      print("fixed min-ready=" + fixed, a);
      Map<String, String> sloEnv = new HashMap<>(base);
      sloEnv.put("trynow.templates.hello.min-ready", "1");
      sloEnv.put("trynow.templates.hello.slo.hit-rate", "0.95");
      sloEnv.put("trynow.templates.hello.slo.window", "30s");
      sloEnv.put("trynow.templates.hello.slo.scale-down-step", "5s");
      sloEnv.put("trynow.templates.hello.slo.provision-estimate", "3s");
      Result b = run(stack, http, sloEnv, arrivals, hold, 1);
      print("target-driven (hit-rate 0.95, floor 1)", b);
    }
  }

  /** Arrival times in seconds: Poisson, a day-shaped rate, and a flash crowd at 60 %. */
  static List<Double> schedule(int minutes, int crowd, long seed) {
    Random rnd = new Random(seed);
    double span = minutes * 60.0;
    List<Double> out = new ArrayList<>();
    double peak = 0.6; // arrivals per second in the afternoon
    double t = 0;
    while (true) {
      t += -Math.log(1 - rnd.nextDouble()) / peak; // thinning: candidates at the peak rate
      if (t >= span) {
        break;
      }
      double dayShape = Math.pow(Math.sin(Math.PI * t / span), 2); // night - day - night
      if (rnd.nextDouble() < 0.1 + 0.9 * dayShape) {
        out.add(t);
      }
    }
    for (int i = 0; i < crowd; i++) {
      out.add(span * 0.6 + i * 0.05);
    }
    Collections.sort(out);
    return out;
  }

  static Result run(
      LocalStack stack,
      HttpClient http,
      Map<String, String> env,
      List<Double> arrivals,
      int hold,
      int startReady)
      throws Exception {
    stack.up(env);
    try (Store store = Store.connect(stack.valkeyUrl(), stack.prefix())) {
      LocalStack.awaitPool(store, TEMPLATE, startReady);
      AtomicBoolean sampling = new AtomicBoolean(true);
      double[] idle = {0};
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
                  } catch (Exception e) {
                    return;
                  }
                }
              });
      AtomicInteger warm = new AtomicInteger();
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
        for (Future<?> f : fs) {
          f.get();
        }
      }
      sampling.set(false);
      sampler.join();
      System.out.printf("run done (load %s)%n", LocalStack.load());
      return new Result(arrivals.size(), warm.get(), waits, misses, idle[0]);
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
    if (!r.misses().isEmpty()) {
      System.out.printf(
          "%-42s missed %d (not served: counted as an infinite wait), first: %s%n",
          "", r.misses().size(), r.misses().getFirst());
    }
  }
}
