package io.trynow.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import io.trynow.model.Headers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jboss.logging.Logger;

/**
 * The chaos suite's visitors: open-loop arrivals at a fixed rate (each arrival a virtual thread, so
 * a slow answer never slows the arrivals down), each one {@code POST /v1/demos} with its own {@code
 * Idempotency-Key} (a connection lost before the answer is retried with the same key, as a browser
 * would, so the visitor ends up with the answer to its one request). A queued or pending request is
 * followed on its status URL to its end. Half of the visitors who get a demo check it answers
 * through Caddy and release it after 1–4 s; the other half join the <em>holders</em> (at most
 * {@link #HOLDERS}; the oldest leaves when a new one comes), whose demos are probed through Caddy
 * every second.
 *
 * <p>Everything a visitor was told is kept in a ledger: the request id (the gateway's {@code
 * Trynow-Request-Id}), the demo it was given or the error it was shown, and when a demo was
 * released. {@link ChaosRun} checks the ledger against Valkey after every fault.
 */
final class ChaosVisitors implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(ChaosVisitors.class);

  /** At most this many demos are held (and probed) at once. */
  static final int HOLDERS = 3;

  /** How long a visitor retries a request that got no answer at all (a gateway restarting). */
  private static final Duration RETRY_UNANSWERED = Duration.ofSeconds(90);

  /** How long a queued or pending request is followed before it counts as never ended. */
  private static final Duration FOLLOW = Duration.ofMinutes(3);

  /** One acquire, as the visitor saw it. */
  static final class Request {
    final Instant at = Instant.now();
    volatile String rid;
    volatile String instanceId;
    volatile String accessToken;

    /** The error the visitor was shown (status and body), or null. */
    volatile String toldFailed;

    /** True while the visit is under way (answer, wait, hold before release). */
    volatile boolean open = true;

    /** Never answered, even after retries: the visitor was told nothing (no request known). */
    volatile boolean unanswered;

    volatile boolean queued;

    @Override
    public String toString() {
      return "request "
          + rid
          + (instanceId != null ? " → " + instanceId : "")
          + (toldFailed != null ? " told " + toldFailed : "");
    }
  }

  /** A held demo and what the probes through Caddy saw. */
  static final class Held {
    final String instanceId;
    final String token;
    final Instant since = Instant.now();
    volatile Instant lastAnswered;

    Held(String instanceId, String token) {
      this.instanceId = instanceId;
      this.token = token;
    }
  }

  private final Stack stack;
  private final String template;
  private final double perSecond;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicBoolean arriving = new AtomicBoolean(true);
  private final Thread arrivals;
  private final Thread prober;

  final Queue<Request> ledger = new ConcurrentLinkedQueue<>();

  /** Released demos: instance id → when the gateway accepted the release (202). */
  final Map<String, Instant> released = new ConcurrentHashMap<>();

  final Deque<Held> holders = new ConcurrentLinkedDeque<>();
  final AtomicInteger probes = new AtomicInteger();
  final AtomicInteger failedProbes = new AtomicInteger();
  final List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());

  ChaosVisitors(Stack stack, String template, double perSecond) {
    this.stack = stack;
    this.template = template;
    this.perSecond = perSecond;
    this.arrivals = Thread.ofPlatform().daemon().name("chaos-arrivals").start(this::arrive);
    this.prober = Thread.ofPlatform().daemon().name("chaos-prober").start(this::probe);
  }

  private String gateway() {
    return stack.url(Service.API_GATEWAY);
  }

  private void arrive() {
    long gapNanos = (long) (1_000_000_000L / perSecond);
    while (running.get()) {
      if (arriving.get()) {
        Request r = new Request();
        ledger.add(r);
        Thread.ofVirtual().name("chaos-visitor").start(() -> visit(r));
      }
      // ±50 % jitter around the mean gap
      LockSupport.parkNanos(gapNanos / 2 + ThreadLocalRandom.current().nextLong(gapNanos));
    }
  }

  /** Stops new arrivals; visits under way go on to their end. */
  void stopArrivals() {
    arriving.set(false);
  }

  void startArrivals() {
    arriving.set(true);
  }

  /** Visits under way: not yet answered, waiting in the queue, or holding before release. */
  long open() {
    return ledger.stream().filter(r -> r.open).count();
  }

  private void visit(Request r) {
    try {
      String key = UUID.randomUUID().toString();
      Http.Answer a = untilAnswered(() -> acquire(key));
      if (a.status() == -1) {
        r.unanswered = true;
        return;
      }
      r.rid = requestId(a);
      if (a.status() == 201) {
        JsonNode body = a.json();
        got(r, body.path("id").asText(), body.path("access_token").asText());
      } else if (a.status() == 202) {
        r.queued = true;
        follow(r, a.json());
      } else if (a.status() >= 400) {
        r.toldFailed = a.toString();
      } else {
        violations.add("unexpected acquire answer " + a);
      }
    } catch (RuntimeException e) {
      violations.add("visitor crashed: " + e);
      LOG.warn("visitor crashed", e);
    } finally {
      r.open = false;
    }
  }

  private Http.Answer acquire(String idempotencyKey) {
    return Http.send(
        "POST",
        gateway() + "/v1/demos",
        Map.of("Idempotency-Key", idempotencyKey),
        "{\"template\":\"" + template + "\"}");
  }

  /** Retries a call that got no HTTP answer (connection refused or reset) for a while. */
  private Http.Answer untilAnswered(java.util.function.Supplier<Http.Answer> call) {
    Instant deadline = Instant.now().plus(RETRY_UNANSWERED);
    Http.Answer a = call.get();
    while (a.status() == -1 && running.get() && Instant.now().isBefore(deadline)) {
      LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
      a = call.get();
    }
    return a;
  }

  private static String requestId(Http.Answer a) {
    List<String> h = a.headers().get(Headers.REQUEST_ID);
    if (h == null) {
      h = a.headers().get(Headers.REQUEST_ID.toLowerCase(java.util.Locale.ROOT));
    }
    if (h != null && !h.isEmpty()) {
      return h.getFirst();
    }
    try {
      String id = a.json().path("request_id").asText("");
      return id.isEmpty() ? null : id;
    } catch (IllegalStateException notJson) {
      return null;
    }
  }

  /** Polls a queued or pending request's status until it ends. */
  private void follow(Request r, JsonNode waiting) {
    String statusUrl = waiting.path("status_url").asText();
    String token = waiting.path("access_token").asText();
    String url = statusUrl.startsWith("http") ? statusUrl : gateway() + statusUrl;
    Instant deadline = Instant.now().plus(FOLLOW);
    while (Instant.now().isBefore(deadline) && running.get()) {
      Http.Answer s = Http.get(url, Map.of("Authorization", "Bearer " + token));
      if (s.status() == 200) {
        JsonNode n = s.json();
        String st = n.path("status").asText();
        switch (st) {
          case "assigned" -> {
            got(r, n.path("demo").path("id").asText(), token);
            return;
          }
          case "pending", "queued" -> {}
          default -> {
            r.toldFailed = "status " + st;
            return;
          }
        }
      } else if (s.status() >= 400 && s.status() != 503) {
        r.toldFailed = "status " + s;
        return;
      }
      LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
    }
    violations.add(r + ": accepted (202) and never ended within " + FOLLOW);
  }

  private void got(Request r, String instanceId, String token) {
    r.instanceId = instanceId;
    r.accessToken = token;
    if (ThreadLocalRandom.current().nextBoolean()) {
      // a visitor who looks and leaves
      answersWithin(instanceId, Duration.ofSeconds(10));
      LockSupport.parkNanos(
          Duration.ofMillis(1000 + ThreadLocalRandom.current().nextInt(3000)).toNanos());
      release(instanceId, token);
    } else {
      holders.addLast(new Held(instanceId, token));
      while (holders.size() > HOLDERS) {
        Held oldest = holders.pollFirst();
        if (oldest != null) {
          release(oldest.instanceId, oldest.token);
        }
      }
    }
  }

  private void answersWithin(String instanceId, Duration limit) {
    Instant deadline = Instant.now().plus(limit);
    while (Instant.now().isBefore(deadline)) {
      probes.incrementAndGet();
      if (stack.viaCaddy(instanceId, "/").status() == 200) {
        return;
      }
      failedProbes.incrementAndGet();
      LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
    }
  }

  private void release(String instanceId, String token) {
    Http.Answer r =
        untilAnswered(() ->
            Http.send(
                "DELETE",
                gateway() + "/v1/demos/" + instanceId,
                Map.of("Authorization", "Bearer " + token),
                null));
    Instant deadline = Instant.now().plus(RETRY_UNANSWERED);
    // a 5xx while a server is down: the visitor clicks "End demo" again a little later
    while (r.status() >= 500 && Instant.now().isBefore(deadline) && running.get()) {
      LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
      r =
          untilAnswered(() ->
              Http.send(
                  "DELETE",
                  gateway() + "/v1/demos/" + instanceId,
                  Map.of("Authorization", "Bearer " + token),
                  null));
    }
    if (r.status() == 202) {
      released.put(instanceId, Instant.now());
    } else if (r.status() != 404 && r.status() != 410 && r.status() != 409) {
      violations.add("release of " + instanceId + " answered " + r);
    }
  }

  /** Every second: each held demo through Caddy. */
  private void probe() {
    while (running.get()) {
      for (Held h : holders) {
        probes.incrementAndGet();
        if (stack.viaCaddy(h.instanceId, "/").status() == 200) {
          h.lastAnswered = Instant.now();
        } else {
          failedProbes.incrementAndGet();
        }
      }
      LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
    }
  }

  /** Held demos that have not answered through Caddy since {@code since} (or since held). */
  List<String> heldNotAnsweredSince(Instant since) {
    List<String> out = new ArrayList<>();
    for (Held h : holders) {
      Instant la = h.lastAnswered;
      if (la == null || la.isBefore(since)) {
        out.add(h.instanceId);
      }
    }
    return out;
  }

  @Override
  public void close() {
    running.set(false);
    arriving.set(false);
    for (Thread t : List.of(arrivals, prober)) {
      try {
        t.join(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
