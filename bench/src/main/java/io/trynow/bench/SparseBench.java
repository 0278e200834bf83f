package io.trynow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.trynow.model.Json;
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

  /**
   * Requests slower than this make the tail the bench explains (what else had the cores while they
   * waited); the machine's CPU is read every 10 ms, so their spans are widened by one period too.
   */
  private static final long TAIL_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10);

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
      // recording (first up of a build) or from the AOT caches: ~2x apart in this bench
      String aot = stack.aotModes();
      System.out.println("AOT: " + aot);
      int gatewayQ = LocalStack.healthPort("api-gateway", stack.gatewayPort());
      // the services' stage histograms before the first acquire (read before the pool fills, not
      // beside the first request), so that the figures below are the measured requests' own
      ServerStages.Snapshot gatewayBefore = ServerStages.read(gatewayQ, ServerStages.GATEWAY);
      ServerStages.Snapshot poolBefore = ServerStages.read(stack.poolPort(), ServerStages.POOL);
      try (Store store = Store.connect(stack.valkeyUrl(), stack.prefix())) {
        double filled = LocalStack.awaitPool(store, TEMPLATE, ready);
        System.out.printf(
            "pool of %d ready %.1f s after that (load %s)%n", ready, filled, LocalStack.load());
        Stats first = new Stats("POST /v1/demos, first 20");
        Stats all = new Stats("POST /v1/demos, all");
        SparseFloor floor = new SparseFloor(store, stack.natsUrl());
        // One keep-alive connection, as a browser keeps it; a minimal client, so that the figure
        // is the stack's and not the JDK HttpClient's thread hand-offs.
        OpenLoad.RawConnection browser = new OpenLoad.RawConnection(stack.gatewayPort());
        byte[] body = ("{\"template\":\"" + TEMPLATE + "\"}").getBytes();
        byte[] request =
            ("POST /v1/demos HTTP/1.1\r\nHost: 127.0.0.1:"
                    + stack.gatewayPort()
                    + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length
                    + "\r\n\r\n"
                    + new String(body))
                .getBytes();
        int n = seconds * 1000 / intervalMs;
        long start = System.nanoTime();
        double firstMs = -1;
        int queued = 0;
        double[] each = new double[n]; // each request's time (ms), to name the tail's requests
        long[] sent = new long[n]; // and when it was sent: what else had the cores meanwhile
        long[] waited = new long[n];
        MachineCpu machine = MachineCpu.start(stack.labels(), 10);
        for (int i = 0; i < n; i++) {
          long due = start + i * intervalMs * 1_000_000L;
          if (i > 0) {
            // The floor, as idle as the acquires: halfway between two of them.
            sleepUntil(due - intervalMs * 500_000L);
            floor.sample();
          }
          sleepUntil(due);
          long s = System.nanoTime();
          Map.Entry<Integer, byte[]> raw = browser.exchange(request, true);
          long took = System.nanoTime() - s;
          sent[i] = s;
          waited[i] = took;
          Map.Entry<Integer, JsonNode> r =
              Map.entry(raw.getKey(), Json.read(raw.getValue(), JsonNode.class));
          if (r.getKey() != 201) {
            queued++;
            all.error();
            continue;
          }
          if (i == 0) {
            firstMs = took / 1e6;
            System.out.printf("first request: %.1f ms; its server-side stages:%n", firstMs);
            ServerStages.read(gatewayQ, ServerStages.GATEWAY).since(gatewayBefore).printSums();
            ServerStages.read(stack.poolPort(), ServerStages.POOL).since(poolBefore).printSums();
          }
          all.record(took);
          each[i] = took / 1e6;
          if (i < 20) {
            first.record(took);
          }
          String id = r.getValue().path("id").asText();
          String token = r.getValue().path("access_token").asText();
          Visitor.releaseLater(http, stack.gatewayPort(), id, token);
        }
        first.stop();
        all.stop();
        machine.close();
        System.out.printf("load %s after the run%n", LocalStack.load());
        first.print(System.out);
        all.print(System.out);
        System.out.printf(
            "first request: %.1f ms (target <= 100); not 201 (pool empty): %d%n", firstMs, queued);
        System.out.println(eachRequest(each));
        machine.printBusiest(System.out, 12);
        machine.printTail(
            System.out,
            MachineCpu.slowWindows(sent, waited, TAIL_NANOS, TAIL_NANOS),
            TAIL_NANOS,
            6);
        floor.close();
        browser.close();
        // a warm hit's floor is this one Lua call (the gateway's acquire_ready); an acquire
        // through pool-service adds the PubAck and the request/reply
        floor.lua.print(System.out);
        floor.reqReply.print(System.out);
        for (Stats f : Floor.floor(store, stack.natsUrl(), 2000)) {
          f.print(System.out);
        }
        System.out.println(
            "server-side stages (count, p50/p90/p99 ms of the measured requests only; gateway:"
                + " dispatch, acquire_ready, publish, reply, respond; pool: deliver, handoff, store,"
                + " reply):");
        ServerStages.read(gatewayQ, ServerStages.GATEWAY).since(gatewayBefore).printQuantiles();
        ServerStages.read(stack.poolPort(), ServerStages.POOL).since(poolBefore).printQuantiles();
        System.out.printf("load %s at the end; AOT: %s%n", LocalStack.load(), aot);
      }
    }
  }

  /**
   * The first 20 requests' times in order and the five slowest with their index (0 = the first):
   * which requests make the p99.
   */
  static String eachRequest(double[] ms) {
    StringBuilder b = new StringBuilder("first 20 (ms):");
    for (int i = 0; i < Math.min(20, ms.length); i++) {
      b.append(String.format(" %.1f", ms[i]));
    }
    b.append("\nslowest (#index: ms):");
    java.util.stream.IntStream.range(0, ms.length)
        .boxed()
        .sorted((x, y) -> Double.compare(ms[y], ms[x]))
        .limit(5)
        .forEach(i -> b.append(String.format(" #%d: %.1f", i, ms[i])));
    return b.toString();
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long wait = nanoTime - System.nanoTime();
    if (wait > 0) {
      Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }
  }

  /**
   * The raw floor at the acquires' pace: one Lua call and one core NATS request/reply (to a
   * responder in this process) every interval, on connections as idle as the stack's.
   */
  static final class SparseFloor implements AutoCloseable {
    final Stats lua = new Stats("sparse floor: one Lua call (FCALL; a warm hit's whole floor)");
    final Stats reqReply = new Stats("sparse floor: core NATS request/reply");
    private final Store store;
    private final io.nats.client.Connection nc;
    private final byte[] payload = new byte[256];

    SparseFloor(Store store, String natsUrl) throws Exception {
      this.store = store;
      this.nc = io.nats.client.Nats.connect(natsUrl);
      nc.createDispatcher(m -> nc.publish(m.getReplyTo(), m.getData())).subscribe("bench.echo");
      nc.flush(java.time.Duration.ofSeconds(2));
    }

    void sample() throws Exception {
      long s = System.nanoTime();
      store.request(io.trynow.model.Ids.newRequestId());
      lua.record(System.nanoTime() - s);
      s = System.nanoTime();
      nc.request("bench.echo", payload, java.time.Duration.ofSeconds(2));
      reqReply.record(System.nanoTime() - s);
    }

    @Override
    public void close() throws Exception {
      lua.stop();
      reqReply.stop();
      nc.close();
    }
  }
}
