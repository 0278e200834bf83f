package io.trynow.proxysync.caddy;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.trynow.model.Ids;
import io.trynow.platform.endpoints.Endpoints;
import io.trynow.proxysync.support.AdapterOnlyProfile;
import io.trynow.proxysync.support.SampleContainers;
import io.trynow.testsupport.RealServersResource;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #17 item 4, measured: requests to held demos through the real Caddy 2.6 while other routes
 * change. Three held demos (real sample containers) are asked for {@code /} by four visitors in a
 * loop: each with the JDK HttpClient (its own keep-alive pool) and on a raw keep-alive connection;
 * meanwhile other demos' routes come and go at a fixed rate of route changes, written (a) not at
 * all, (b) one Caddy config write per change, (c) coalesced into one write per {@link #BATCH} (what
 * proxy-sync's {@code min-write-interval} does). Prints requests, resets (the connection closed
 * under a request: no HTTP answer) and other failures per 1,000 requests, and the number of config
 * writes (each is a full reload in Caddy).
 *
 * <p>Caddy reloads by starting the new config's servers on the same listeners and shutting the old
 * ones down: idle keep-alive connections are closed at once, active requests finish (the http app's
 * {@code grace_period}, 0 = no limit). A request a client sends on a pooled connection just as
 * Caddy closes it gets no answer: that is the reset, and it happens once per connection per reload
 * at most, so resets grow with the number of reloads.
 */
@QuarkusTest
@TestProfile(AdapterOnlyProfile.class)
@WithTestResource(RealServersResource.class)
class RouteChurnResetsIT {

  private static final Logger LOG = Logger.getLogger(RouteChurnResetsIT.class);
  private static final SampleContainers CONTAINERS =
      new SampleContainers("churnit-" + Ids.newInstanceId().substring(1, 9));

  /** Route changes per second during churn (the chaos suite's traffic makes ~3: add + remove). */
  private static final int CHANGES_PER_SECOND = 8;

  /** How long each phase runs. */
  private static final Duration PHASE = Duration.ofSeconds(15);

  /** One write per this period in the batched phase. */
  private static final Duration BATCH = Duration.ofSeconds(1);

  @Inject CaddyRoutes routes;
  @Inject Endpoints endpoints;

  @AfterAll
  static void removeContainers() {
    CONTAINERS.close();
  }

  /** What one phase measured. */
  record Phase(
      String name,
      int requests,
      int resets,
      int rawRequests,
      int rawResets,
      int failures,
      int writes) {

    static double perThousand(int n, int of) {
      return of == 0 ? 0 : 1000.0 * n / of;
    }

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%-24s HttpClient %5d requests, %3d reset (%.2f/1000) | raw keep-alive %5d requests,"
              + " %3d reset (%.2f/1000) | other failures %d | caddy writes %3d",
          name,
          requests,
          resets,
          perThousand(resets, requests),
          rawRequests,
          rawResets,
          perThousand(rawResets, rawRequests),
          failures,
          writes);
    }
  }

  @Test
  void resetsPerThousandRequestsToHeldDemosDuringRouteChurn() {
    List<Route> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String id = Ids.newInstanceId();
      held.add(Route.of(id, endpoints.demoDomain(), "127.0.0.1", CONTAINERS.start(id)));
    }
    routes.apply(held);

    Phase quiet = phase("no route changes", held, 0, null);
    Phase eachWrite = phase("one write per change", held, CHANGES_PER_SECOND, Duration.ZERO);
    Phase batched =
        phase("one write per " + BATCH.toMillis() + " ms", held, CHANGES_PER_SECOND, BATCH);
    String table =
        "Caddy route churn (Caddy 2.6, "
            + CHANGES_PER_SECOND
            + " route changes/s, 4 keep-alive visitors on 3 held demos, "
            + PHASE.toSeconds()
            + " s each):\n  "
            + quiet
            + "\n  "
            + eachWrite
            + "\n  "
            + batched;
    LOG.info(table);
    System.out.println(table);

    // held demos answer: nothing but resets at reloads (no 5xx, no 404 for a held route)
    for (Phase p : List.of(quiet, eachWrite, batched)) {
      assertThat(p.failures()).as(p.toString()).isZero();
      assertThat(p.requests()).as(p.toString()).isPositive();
    }
    assertThat(quiet.resets() + quiet.rawResets())
        .as("without route changes nothing is reset: " + quiet)
        .isZero();
    // batching really writes less often: at most one write per BATCH (+1 for the phase's edge)
    assertThat(batched.writes())
        .as(batched.toString())
        .isLessThanOrEqualTo((int) (PHASE.toMillis() / BATCH.toMillis()) + 1);
    assertThat(eachWrite.writes()).as(eachWrite.toString()).isGreaterThan(batched.writes() * 3);
  }

  /**
   * Runs the visitors for {@link #PHASE} while {@code changesPerSecond} route changes happen, each
   * written at once ({@code every} zero), only every {@code every}, or not at all (null).
   */
  private Phase phase(String name, List<Route> held, int changesPerSecond, Duration every) {
    AtomicBoolean on = new AtomicBoolean(true);
    AtomicInteger requests = new AtomicInteger();
    AtomicInteger resets = new AtomicInteger();
    AtomicInteger rawRequests = new AtomicInteger();
    AtomicInteger rawResets = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    List<Thread> visitors = new ArrayList<>();
    for (int v = 0; v < 4; v++) {
      Route r = held.get(v % held.size());
      visitors.add(Thread.ofPlatform().start(() -> visit(r, on, requests, resets, failures)));
      visitors.add(
          Thread.ofPlatform().start(() -> visitRaw(r, on, rawRequests, rawResets, failures)));
    }
    int writes = 0;
    Deque<Route> churn = new ArrayDeque<>();
    long end = System.nanoTime() + PHASE.toNanos();
    long lastWrite = System.nanoTime();
    int port = 21000;
    while (System.nanoTime() < end) {
      if (every != null) {
        // a demo comes (a route pointing at a port nobody asks for) or the oldest goes
        if (churn.size() < 6 || (churn.size() < 12 && (port & 1) == 0)) {
          churn.addLast(Route.of(Ids.newInstanceId(), endpoints.demoDomain(), "127.0.0.1", port));
        } else {
          churn.removeFirst();
        }
        port++;
        if (every.isZero() || System.nanoTime() - lastWrite >= every.toNanos()) {
          List<Route> desired = new ArrayList<>(held);
          desired.addAll(churn);
          writes += routes.apply(desired).writes();
          lastWrite = System.nanoTime();
        }
      }
      LockSupport.parkNanos(Duration.ofMillis(1000 / Math.max(1, changesPerSecond)).toNanos());
    }
    on.set(false);
    visitors.forEach(t -> {
      try {
        t.join(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    writes += routes.apply(held).writes(); // back to the held demos only
    return new Phase(
        name,
        requests.get(),
        resets.get(),
        rawRequests.get(),
        rawResets.get(),
        failures.get(),
        writes);
  }

  private void visit(
      Route r,
      AtomicBoolean on,
      AtomicInteger requests,
      AtomicInteger resets,
      AtomicInteger failures) {
    // one client per visitor: its own pool of keep-alive connections
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    HttpRequest get =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoints.caddyHttpPort() + "/"))
            .header("Host", r.host())
            .timeout(Duration.ofSeconds(5))
            .build();
    while (on.get()) {
      requests.incrementAndGet();
      try {
        HttpResponse<String> a = client.send(get, HttpResponse.BodyHandlers.ofString());
        if (a.statusCode() != 200) {
          failures.incrementAndGet();
          LOG.warnf("held demo %s answered %d", r.instanceId(), a.statusCode());
        }
      } catch (IOException e) {
        resets.incrementAndGet();
        LOG.debugf("held demo %s: %s", r.instanceId(), e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    }
  }

  /**
   * The same visitor on one raw HTTP/1.1 keep-alive connection, with no retry of any kind: a
   * request that gets no answer (the connection closed or reset under it) counts as a reset, and
   * the next request opens a new connection. What a client that does not silently repeat a request
   * on a reused connection sees (browsers and the JDK client repeat idempotent ones).
   */
  private void visitRaw(
      Route r,
      AtomicBoolean on,
      AtomicInteger requests,
      AtomicInteger resets,
      AtomicInteger failures) {
    byte[] get =
        ("GET / HTTP/1.1\r\nHost: " + r.host() + "\r\n\r\n")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    java.net.Socket socket = null;
    while (on.get()) {
      requests.incrementAndGet();
      try {
        if (socket == null) {
          socket = new java.net.Socket("127.0.0.1", endpoints.caddyHttpPort());
          socket.setSoTimeout(5000);
        }
        socket.getOutputStream().write(get);
        int status = readResponse(socket.getInputStream());
        if (status != 200) {
          failures.incrementAndGet();
          LOG.warnf("held demo %s answered %d (raw)", r.instanceId(), status);
        }
      } catch (IOException e) {
        resets.incrementAndGet();
        closeQuietly(socket);
        socket = null;
      }
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    }
    closeQuietly(socket);
  }

  /** Reads one HTTP/1.1 response with a Content-Length body; its status. */
  private static int readResponse(java.io.InputStream in) throws IOException {
    String statusLine = line(in);
    int length = 0;
    boolean chunked = false;
    for (String h = line(in); !h.isEmpty(); h = line(in)) {
      int colon = h.indexOf(':');
      String name = colon > 0 ? h.substring(0, colon).trim() : "";
      String value = colon > 0 ? h.substring(colon + 1).trim() : "";
      if (name.equalsIgnoreCase("content-length")) {
        length = Integer.parseInt(value);
      } else if (name.equalsIgnoreCase("transfer-encoding") && value.contains("chunked")) {
        chunked = true;
      }
    }
    if (chunked) {
      for (int n = Integer.parseInt(line(in).split(";")[0].trim(), 16);
          n > 0;
          n = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
        body(in, n);
        line(in); // the CRLF after a chunk
      }
      line(in); // the CRLF after the last (empty) chunk
    } else {
      body(in, length);
    }
    String[] parts = statusLine.split(" ");
    if (parts.length < 2) {
      throw new java.io.EOFException("no status line: " + statusLine);
    }
    return Integer.parseInt(parts[1]);
  }

  private static void body(java.io.InputStream in, int length) throws IOException {
    if (in.readNBytes(length).length < length) {
      throw new java.io.EOFException("body cut short");
    }
  }

  private static String line(java.io.InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c == -1) {
        throw new java.io.EOFException("connection closed");
      }
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }

  private static void closeQuietly(java.net.Socket s) {
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        LOG.debugf("close: %s", e.toString());
      }
    }
  }
}
