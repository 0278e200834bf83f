package io.trynow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.trynow.platform.state.Store;
import io.trynow.testsupport.SampleImage;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.Map;

/**
 * Sparse traffic: right after the whole local stack reports ready (and its pool of real containers
 * is filled), one {@code POST /v1/demos} every {@code interval} ms for {@code seconds}, each demo
 * released right after; client-side latency of the first 20 and of all, next to the raw floor
 * measured in the same run (one Lua call, one JetStream PubAck, one core request/reply), and the
 * services' own stage timings. Targets: p50 ≤ 5 ms and p99 ≤ 20 ms over all, the first ≤ 100 ms.
 *
 * <p>{@code ./trynow bench sparse [seconds=60] [interval ms=500] [ready=10]}
 */
public final class SparseBench {

  static final String TEMPLATE = "hello";

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    int intervalMs = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int ready = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    Path root = SampleImage.RepoRoot.find();
    HttpClient http = Visitor.client();
    try (LocalStack stack = new LocalStack(root)) {
      stack.build();
      Map<String, String> env = CrowdBench.env(4 * ready, ready, 4);
      double up = stack.up(env);
      System.out.printf(
          "stack up (all five services ready) in %.1f s (load %s)%n", up, LocalStack.load());
      try (Store store = Store.connect(stack.valkeyUrl(), stack.prefix())) {
        double filled = LocalStack.awaitPool(store, TEMPLATE, ready);
        System.out.printf(
            "pool of %d ready %.1f s after that (load %s)%n", ready, filled, LocalStack.load());
        Stats first = new Stats("POST /v1/demos, first 20");
        Stats all = new Stats("POST /v1/demos, all");
        int n = seconds * 1000 / intervalMs;
        long start = System.nanoTime();
        double firstMs = -1;
        int queued = 0;
        for (int i = 0; i < n; i++) {
          long due = start + i * intervalMs * 1_000_000L;
          long wait = due - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          }
          long s = System.nanoTime();
          Map.Entry<Integer, JsonNode> r = Visitor.acquire(http, stack.gatewayPort(), TEMPLATE);
          long took = System.nanoTime() - s;
          if (r.getKey() != 201) {
            queued++;
            all.error();
            continue;
          }
          if (i == 0) {
            firstMs = took / 1e6;
          }
          all.record(took);
          if (i < 20) {
            first.record(took);
          }
          String id = r.getValue().path("id").asText();
          String token = r.getValue().path("access_token").asText();
          Thread.ofVirtual()
              .start(() -> {
                try {
                  Visitor.release(http, stack.gatewayPort(), id, token);
                } catch (Exception e) {
                  System.out.println("release failed: " + e.getMessage());
                }
              });
        }
        first.stop();
        all.stop();
        System.out.printf("load %s after the run%n", LocalStack.load());
        first.print(System.out);
        all.print(System.out);
        System.out.printf(
            "first request: %.1f ms (target <= 100); not 201 (pool empty): %d%n", firstMs, queued);
        for (Stats f : AcquireBench.floor(store, stack.natsUrl(), 2000)) {
          f.print(System.out);
        }
        System.out.println("server-side stages (p50/p90/p99 over the last ~30 s, ms):");
        AcquireBench.printQuantiles(stack.gatewayPort(), "trynow_gateway_acquire");
        AcquireBench.printQuantiles(stack.poolPort(), "trynow_pool_acquire_stage");
      }
    }
  }
}
