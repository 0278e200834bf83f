package io.trynow.bench;

import io.trynow.model.Ids;
import io.trynow.platform.state.AcquireArgs;
import io.trynow.platform.state.AcquireResult;
import io.trynow.platform.state.ClaimResult;
import io.trynow.platform.state.ExtendResult;
import io.trynow.platform.state.ReadyResult;
import io.trynow.platform.state.ReserveArgs;
import io.trynow.platform.state.Store;
import io.trynow.platform.state.ValkeyPool;
import io.trynow.testsupport.ValkeyServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * The store's client, decided on measurement ({@code ./trynow bench store [ops@1] [ops@32]}): the
 * same {@link Store} code on two clients against one Valkey in one run — the Vert.x Redis client of
 * quarkus-redis-client (the store's client: non-blocking sends, the calling virtual thread parks on
 * the reply) and the former hand-written blocking RESP2 socket pool ({@link ValkeyPool}, kept in
 * this module only as the baseline). For each, at 1 and 32 concurrent callers (virtual threads, as
 * the services call the store): PING, mark_ready, acquire (warm: a ready instance is there) and
 * extend; next to the floor, PING over a raw blocking socket with no client library, and the Vert.x
 * client's PING used fully asynchronously (n chains of send → callback → send, no thread waiting).
 * Starts its own redis-server/valkey-server (AOF on, fsync every second, as production) through the
 * test harness; prints the machine's load average before and after.
 */
public final class StoreBench {

  private static final String TOKEN = "0123456789abcdef0123456789abcdef";

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("idle")) {
      idle(
          args.length > 1 ? Integer.parseInt(args[1]) : 80,
          args.length > 2 ? Integer.parseInt(args[2]) : 400);
      return;
    }
    int ops1 = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
    int ops32 = args.length > 1 ? Integer.parseInt(args[1]) : 8000;
    try (ValkeyServer valkey = new ValkeyServer(true)) {
      valkey.start();
      try (Store vertx = ValkeyPool.vertxOnly(valkey.url(), "bench-vertx");
          Store socket = ValkeyPool.store(valkey.url(), "bench-socket")) {
        vertx.capacity().initPorts(20000, 39999);
        socket.capacity().initPorts(20000, 39999);
        System.out.printf(
            "store bench: %s on port %d, %d cores, load average %s%n",
            valkey.name(), valkey.port(), Runtime.getRuntime().availableProcessors(), load());
        List<StoreBench> runs = new ArrayList<>();
        for (int clients : new int[] {1, 32}) {
          int ops = clients == 1 ? ops1 : ops32;
          runs.add(new StoreBench(null, valkey, "floor", "c" + clients, ops, clients));
          runs.add(new StoreBench(vertx, valkey, "vertx", "v" + clients, ops, clients));
          runs.add(new StoreBench(socket, valkey, "socket", "s" + clients, ops, clients));
        }
        // warm-up (JIT, connections), not printed
        new StoreBench(vertx, valkey, "vertx", "wv", 1000, 8).run(false);
        new StoreBench(socket, valkey, "socket", "ws", 1000, 8).run(false);
        for (StoreBench b : runs) {
          b.run(true);
        }
        System.out.printf("load average after: %s%n", load());
      }
    }
  }

  /**
   * One call at a time with the machine idle in between ({@code ./trynow bench store idle [n]
   * [interval ms]}): what sparse traffic pays per store call, where each thread wake-up finds an
   * idle CPU. Per round, each a quarter interval apart: a read function (FCALL of {@code request})
   * on the Vert.x client from a virtual thread (the services' way until #15), on a blocking socket
   * (the store's blocking lane) from a virtual thread and from a platform thread, and a raw PING
   * from a platform thread.
   */
  private static void idle(int n, int intervalMs) throws Exception {
    try (ValkeyServer valkey = new ValkeyServer(true)) {
      valkey.start();
      try (Store vertx = ValkeyPool.vertxOnly(valkey.url(), "bench-vertx");
          Store socket = Store.connect(valkey.url(), "bench-lane")) {
        System.out.printf(
            "store bench idle: %d rounds, %d ms apart, load average %s%n", n, intervalMs, load());
        StoreBench raw = new StoreBench(null, valkey, "floor", "x", 1, 1);
        Stats vv = new Stats("FCALL request  Vert.x, virtual thread ");
        Stats sv = new Stats("FCALL request  socket, virtual thread ");
        Stats sp = new Stats("FCALL request  socket, platform thread");
        Stats rp = new Stats("PING raw socket, platform thread     ");
        String rid = Ids.newRequestId();
        for (int i = -5; i < n; i++) {
          boolean keep = i >= 0;
          onVirtual(vv, keep, () -> vertx.request(rid));
          Thread.sleep(intervalMs / 4);
          onVirtual(sv, keep, () -> socket.request(rid));
          Thread.sleep(intervalMs / 4);
          long t0 = System.nanoTime();
          socket.request(rid);
          long t1 = System.nanoTime();
          if (keep) {
            sp.record(t1 - t0);
          }
          Thread.sleep(intervalMs / 4);
          t0 = System.nanoTime();
          raw.rawPing();
          t1 = System.nanoTime();
          if (keep) {
            rp.record(t1 - t0);
          }
          Thread.sleep(intervalMs / 4);
        }
        for (Stats s : List.of(vv, sv, sp, rp)) {
          s.stop();
          s.print(System.out);
        }
        System.out.printf("load average after: %s%n", load());
      }
    }
  }

  private static void onVirtual(Stats stats, boolean keep, Runnable call) throws Exception {
    long[] took = new long[1];
    Thread t =
        Thread.ofVirtual()
            .start(() -> {
              long t0 = System.nanoTime();
              call.run();
              took[0] = System.nanoTime() - t0;
            });
    t.join();
    if (keep) {
      stats.record(took[0]);
    }
  }

  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (Exception e) {
      return "?";
    }
  }

  private final Store store;
  private final ValkeyServer valkey;
  private final String client;
  private final String template;
  private final int ops;
  private final int clients;

  private StoreBench(
      Store store, ValkeyServer valkey, String client, String template, int ops, int clients) {
    this.store = store;
    this.valkey = valkey;
    this.client = client;
    this.template = template;
    this.ops = ops;
    this.clients = clients;
  }

  private void run(boolean print) throws Exception {
    List<Stats> all = new ArrayList<>();
    if (store == null) {
      all.add(measure("PING raw socket (floor)", i -> rawPing()));
    } else {
      List<String> started = startedInstances(ops);
      List<String> requestIds = new ArrayList<>();
      for (int i = 0; i < ops; i++) {
        requestIds.add(Ids.newRequestId()); // the caller's cost, not the store's
      }
      all.add(measure("PING", i -> ping()));
      if (client.equals("vertx")) {
        all.add(asyncPings());
      }
      all.add(
          measure(
              "mark_ready",
              i ->
                  store.provisioning().markReady(started.get(i), null)
                      instanceof ReadyResult.Pooled));
      all.add(
          measure(
              "acquire (warm)",
              i ->
                  store
                          .requests()
                          .acquire(
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
                  store.lifecycle().extend(started.get(i), TOKEN, Duration.ofSeconds(1))
                      instanceof ExtendResult.Extended));
    }
    if (print) {
      for (Stats s : all) {
        s.print(System.out);
      }
    }
  }

  private boolean ping() {
    store.ping();
    return true;
  }

  /** {@code clients} chains of async PINGs: each reply's callback sends the next, no one waits. */
  private Stats asyncPings() throws Exception {
    Stats stats = new Stats(label("PING async chains"));
    AtomicInteger next = new AtomicInteger();
    stats.start();
    List<CompletableFuture<Void>> chains = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      chains.add(done);
      chain(stats, next, done);
    }
    CompletableFuture.allOf(chains.toArray(CompletableFuture[]::new)).get();
    stats.stop();
    return stats;
  }

  private void chain(Stats stats, AtomicInteger next, CompletableFuture<Void> done) {
    if (next.getAndIncrement() >= ops) {
      done.complete(null);
      return;
    }
    long t0 = System.nanoTime();
    store
        .pingAsync()
        .whenComplete((v, e) -> {
          if (e == null) {
            stats.record(System.nanoTime() - t0);
          } else {
            stats.error();
          }
          chain(stats, next, done);
        });
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
              .sizing()
              .reserveProvision(new ReserveArgs(template, 1_000_000, 1_000_000, 1_000_000, batch))
              .created());
    }
    parallel(
        ids.size(),
        8,
        i -> {
          String id = ids.get(i);
          long fence =
              ((ClaimResult.Claimed) store.claims().claimProvision(id, Duration.ofMinutes(5)))
                  .fence();
          store.provisioning().allocatePort(id, fence);
          store.provisioning().markStarted(id, fence, "trynow-" + id);
          return true;
        },
        null);
    return ids;
  }

  private String label(String op) {
    return String.format("%-7s %-24s c=%-2d", client, op, clients);
  }

  private Stats measure(String name, IntPredicate op) throws Exception {
    Stats stats = new Stats(label(name));
    stats.start();
    parallel(ops, clients, op, stats);
    stats.stop();
    return stats;
  }

  /** Runs op(0..n-1) on {@code threads} virtual threads, recording each call's latency. */
  private static void parallel(int n, int threads, IntPredicate op, Stats stats) throws Exception {
    AtomicInteger next = new AtomicInteger();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        fs.add(
            pool.submit(() -> {
              int i;
              while ((i = next.getAndIncrement()) < n) {
                long t0 = System.nanoTime();
                boolean ok;
                try {
                  ok = op.test(i);
                } catch (RuntimeException e) {
                  ok = false;
                }
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
      return buf[0] == '+';
    } catch (Exception e) {
      return false;
    }
  }
}
