package io.trynow.bench;

import io.trynow.model.Ids;
import io.trynow.platform.state.AcquireArgs;
import io.trynow.platform.state.AcquireResult;
import io.trynow.platform.state.ClaimResult;
import io.trynow.platform.state.ExtendResult;
import io.trynow.platform.state.ReadyResult;
import io.trynow.platform.state.ReserveArgs;
import io.trynow.platform.state.Store;
import io.trynow.testsupport.ValkeyServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * The state store's latency and throughput (./trynow bench store): acquire (warm: a ready instance
 * is there), mark_ready, extend and rate_limit at 1 and 32 concurrent clients, next to the PING
 * round trip measured in the same run — once over a plain blocking socket (the floor) and once
 * through the store's own client (the floor plus the client's overhead). Starts its own
 * redis-server/valkey-server (AOF on, fsync every second, like production) through the test
 * harness.
 */
public final class StoreBench {

  private static final String TOKEN = "0123456789abcdef0123456789abcdef";

  public static void main(String[] args) throws Exception {
    int ops1 = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
    int ops32 = args.length > 1 ? Integer.parseInt(args[1]) : 8000;
    try (ValkeyServer valkey = new ValkeyServer(true)) {
      valkey.start();
      try (Store store = Store.connect(valkey.url(), "bench")) {
        store.initPorts(20000, 39999);
        System.out.printf(
            "store bench: %s on port %d, %d cores%n",
            valkey.name(), valkey.port(), Runtime.getRuntime().availableProcessors());
        // warm-up (JIT, connections), not printed
        new StoreBench(store, valkey, "warm", 1000, 8).run(false);
        new StoreBench(store, valkey, "c1", ops1, 1).run(true);
        new StoreBench(store, valkey, "c32", ops32, 32).run(true);
      }
    }
  }

  private final Store store;
  private final ValkeyServer valkey;
  private final String template;
  private final int ops;
  private final int clients;

  private StoreBench(Store store, ValkeyServer valkey, String template, int ops, int clients) {
    this.store = store;
    this.valkey = valkey;
    this.template = template;
    this.ops = ops;
    this.clients = clients;
  }

  private void run(boolean print) throws Exception {
    List<String> started = startedInstances(ops);
    List<String> requestIds = new ArrayList<>();
    for (int i = 0; i < ops; i++) {
      requestIds.add(Ids.newRequestId()); // the caller's cost, not the store's
    }
    List<Stats> all = new ArrayList<>();
    all.add(measure("PING raw socket", i -> rawPing()));
    all.add(measure("PING store client", i -> ping()));
    all.add(
        measure(
            "mark_ready",
            i -> store.markReady(started.get(i), null) instanceof ReadyResult.Pooled));
    all.add(
        measure(
            "acquire (warm)",
            i ->
                store.acquire(
                        new AcquireArgs(
                            requestIds.get(i),
                            template,
                            TOKEN,
                            "10.0." + (i % 200) + "." + (i % 250),
                            Duration.ofMinutes(15),
                            Duration.ofHours(2),
                            100,
                            0))
                    instanceof AcquireResult.Assigned));
    all.add(
        measure(
            "extend",
            i ->
                store.extend(started.get(i), TOKEN, Duration.ofSeconds(1))
                    instanceof ExtendResult.Extended));
    all.add(
        measure(
            "rate_limit",
            i ->
                store.rateLimit("10.1." + (i % 250) + "." + (i % 7), null, 1_000_000, 1_000_000)
                    != null));
    if (print) {
      System.out.printf("-- %d concurrent client(s), %d ops each --%n", clients, ops);
      for (Stats s : all) {
        s.print(System.out);
      }
    }
  }

  private boolean ping() {
    store.ping();
    return true;
  }

  /** {@code requested → provisioning → port → started}, not measured. */
  private List<String> startedInstances(int n) throws Exception {
    List<String> ids = new ArrayList<>();
    while (ids.size() < n) {
      List<String> batch = new ArrayList<>();
      for (int i = 0; i < Math.min(100, n - ids.size()); i++) {
        batch.add(Ids.newInstanceId());
      }
      ids.addAll(
          store
              .reserveProvision(new ReserveArgs(template, 1_000_000, 1_000_000, 1_000_000, batch))
              .created());
    }
    parallel(
        ids.size(),
        8,
        i -> {
          String id = ids.get(i);
          long fence =
              ((ClaimResult.Claimed) store.claimProvision(id, Duration.ofMinutes(5))).fence();
          store.allocatePort(id, fence);
          store.markStarted(id, fence, "trynow-" + id);
          return true;
        },
        null);
    return ids;
  }

  private Stats measure(String name, IntPredicate op) throws Exception {
    Stats stats = new Stats(String.format("%-18s c=%-2d", name, clients));
    stats.start();
    parallel(ops, clients, op, stats);
    stats.stop();
    return stats;
  }

  /** Runs op(0..n-1) on {@code threads} threads, recording each call's latency. */
  private static void parallel(int n, int threads, IntPredicate op, Stats stats) throws Exception {
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        fs.add(
            pool.submit(() -> {
              int i;
              while ((i = next.getAndIncrement()) < n) {
                long t0 = System.nanoTime();
                boolean ok = op.test(i);
                long dt = System.nanoTime() - t0;
                if (stats != null) {
                  if (ok) {
                    stats.record(dt);
                  } else {
                    stats.error();
                  }
                }
              }
              return null;
            }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private final ThreadLocal<Socket> rawSockets = new ThreadLocal<>();

  /** PING over a plain blocking socket: the floor (loopback + server), no client library. */
  private boolean rawPing() {
    try {
      Socket raw = rawSockets.get();
      if (raw == null) {
        raw = new Socket("127.0.0.1", valkey.port());
        raw.setTcpNoDelay(true);
        rawSockets.set(raw);
      }
      OutputStream out = raw.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = raw.getInputStream();
      byte[] buf = new byte[7];
      int read = 0;
      while (read < 7) {
        int r = in.read(buf, read, 7 - read);
        if (r < 0) {
          return false;
        }
        read += r;
      }
      return buf[0] == '+' && ThreadLocalRandom.current() != null;
    } catch (Exception e) {
      return false;
    }
  }
}
