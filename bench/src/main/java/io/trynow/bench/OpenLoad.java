package io.trynow.bench;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop HTTP load (latency from each request's scheduled start: no coordinated omission) over a
 * minimal keep-alive HTTP/1.1 client.
 */
final class OpenLoad {

  private OpenLoad() {}

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
    byte[] body = ("{\"template\":\"" + AcquireBench.TEMPLATE + "\"}").getBytes();
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
    // each measured request's latency by its place in the schedule: the tail over time (Stats
    // slices); TRYNOW_BENCH_LATENCIES=FILE also writes them, one line each (scheduled start in
    // epoch ms, latency in ms), to line the tail up with a JFR recording's GC pauses and compiles
    String latencyFile = stats == null ? null : System.getenv("TRYNOW_BENCH_LATENCIES");
    long[] latencies = stats == null ? null : new long[n];
    long startEpochMs = System.currentTimeMillis();
    long start = System.nanoTime();
    try (ExecutorService exec = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < n; i++) {
        long due = start + i * interval;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        int target = i % targets;
        int index = i;
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
            if (latencies != null) {
              latencies[index] = latency;
            }
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
    if (latencies != null) {
      stats.series(latencies, interval);
    }
    if (latencyFile != null) {
      StringBuilder sb = new StringBuilder(n * 24);
      for (int i = 0; i < n; i++) {
        sb.append(startEpochMs + (i * interval) / 1_000_000)
            .append(' ')
            .append(String.format("%.3f", latencies[i] / 1e6))
            .append('\n');
      }
      java.nio.file.Files.writeString(java.nio.file.Path.of(latencyFile), sb);
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
}
