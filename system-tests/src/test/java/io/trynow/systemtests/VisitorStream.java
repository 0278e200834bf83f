package io.trynow.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jboss.logging.Logger;

/**
 * A steady stream of visitors against every gateway replica of a {@link Stack}: each acquires
 * ({@code POST /v1/demos}), follows a queued request to its end, checks its demo answers through
 * Caddy, holds it a moment and releases it. What it saw is kept for the invariants: every accepted
 * request ended assigned or with an error the visitor was shown; no demo was handed out twice.
 * Connection errors (a gateway replica just killed) are not accepted requests: the visitor retries
 * on the other replica.
 */
final class VisitorStream implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(VisitorStream.class);

  private final Stack stack;
  private final String template;
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicBoolean paused = new AtomicBoolean();
  private final AtomicInteger busy = new AtomicInteger();

  /** Every instance ever handed to a visitor (instances are never reused). */
  private final Set<String> everAssigned = ConcurrentHashMap.newKeySet();

  /** Demos held right now: instance id → access token. */
  private final Map<String, String> held = new ConcurrentHashMap<>();

  final AtomicInteger accepted = new AtomicInteger();
  final AtomicInteger assigned = new AtomicInteger();
  final AtomicInteger shownErrors = new AtomicInteger();
  final AtomicInteger queued = new AtomicInteger();
  final List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());

  /** Held demos that never answered through Caddy although the visitor was not told they ended. */
  final List<Map.Entry<Instant, String>> unanswered =
      java.util.Collections.synchronizedList(new ArrayList<>());

  VisitorStream(Stack stack, String template, int visitors) {
    this.stack = stack;
    this.template = template;
    for (int v = 0; v < visitors; v++) {
      int me = v;
      threads.add(Thread.ofVirtual().name("visitor-" + v).start(() -> run(me)));
    }
  }

  private String gateway(int attempt) {
    int r = Math.floorMod(ThreadLocalRandom.current().nextInt() + attempt, stack.replicas());
    return stack.url(Service.API_GATEWAY, r);
  }

  private void run(int me) {
    while (running.get()) {
      if (paused.get()) {
        LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        continue;
      }
      busy.incrementAndGet();
      try {
        oneVisit(me);
      } catch (RuntimeException e) {
        violations.add("visitor " + me + " crashed: " + e);
      } finally {
        busy.decrementAndGet();
      }
      LockSupport.parkNanos(
          Duration.ofMillis(200 + ThreadLocalRandom.current().nextInt(300)).toNanos());
    }
  }

  private void oneVisit(int me) {
    Http.Answer a = null;
    for (int attempt = 0; attempt < 4 && running.get(); attempt++) {
      a =
          Http.send(
              "POST",
              gateway(attempt) + "/v1/demos",
              Map.of(),
              "{\"template\":\"" + template + "\"}");
      if (a.status() != -1) {
        break;
      }
      LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
    }
    if (a == null || a.status() == -1) {
      return; // never reached a gateway: no request was accepted
    }
    if (a.status() == 201) {
      accepted.incrementAndGet();
      JsonNode body = a.json();
      hold(me, body.path("id").asText(), body.path("access_token").asText());
    } else if (a.status() == 202) {
      accepted.incrementAndGet();
      queued.incrementAndGet();
      follow(me, a.json());
    } else if (a.status() >= 400) {
      // an error the visitor saw (503 while capacity is short, 429...): nothing was accepted
      shownErrors.incrementAndGet();
    } else {
      violations.add("unexpected acquire answer " + a);
    }
  }

  /** Polls a queued request's status URL until it ends (assigned, failed or expired). */
  private void follow(int me, JsonNode queuedBody) {
    String statusUrl = queuedBody.path("status_url").asText();
    String token = queuedBody.path("access_token").asText();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
    while (Instant.now().isBefore(deadline)) {
      String url = statusUrl.startsWith("http") ? statusUrl : gateway(0) + statusUrl;
      Http.Answer s = Http.get(url, Map.of("Authorization", "Bearer " + token));
      if (s.status() == 200) {
        JsonNode n = s.json();
        String st = n.path("status").asText();
        switch (st) {
          case "assigned" -> {
            JsonNode demo = n.path("demo").isMissingNode() ? n : n.path("demo");
            String id = demo.path("id").asText(n.path("instance_id").asText());
            hold(me, id, token);
            return;
          }
          case "failed", "expired" -> {
            shownErrors.incrementAndGet();
            return;
          }
          default -> {}
        }
      }
      LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
    }
    violations.add("queued request " + queuedBody.path("request_id").asText() + " never ended");
  }

  private void hold(int me, String id, String token) {
    assigned.incrementAndGet();
    if (!everAssigned.add(id)) {
      violations.add("demo " + id + " handed to a second visitor");
    }
    held.put(id, token);
    try {
      checkAnswers(id, token);
      LockSupport.parkNanos(
          Duration.ofMillis(500 + ThreadLocalRandom.current().nextInt(1500)).toNanos());
    } finally {
      for (int attempt = 0; attempt < 6; attempt++) {
        Http.Answer r =
            Http.send(
                "DELETE",
                gateway(attempt) + "/v1/demos/" + id,
                Map.of("Authorization", "Bearer " + token),
                null);
        if (r.status() == 202 || r.status() == 404 || r.status() == 409 || r.status() == 410) {
          break;
        }
        LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
      }
      held.remove(id);
    }
  }

  /** The demo answers through Caddy within 10 s, or the visitor is told it ended. */
  private void checkAnswers(String id, String token) {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    while (Instant.now().isBefore(deadline)) {
      if (stack.viaCaddy(id, "/").status() == 200) {
        return;
      }
      LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
    }
    Http.Answer st =
        Http.get(gateway(0) + "/v1/demos/" + id, Map.of("Authorization", "Bearer " + token));
    String state = st.status() == 200 ? st.json().path("status").asText() : "";
    boolean told =
        st.status() == 404
            || st.status() == 410
            || state.equals("failed")
            || state.equals("terminated")
            || state.equals("terminating");
    if (!told) {
      unanswered.add(Map.entry(Instant.now(), id + " (" + st + ")"));
    }
  }

  /** Held demos that did not answer (and were not reported ended) after {@code since}. */
  List<String> unansweredSince(Instant since) {
    synchronized (unanswered) {
      return unanswered.stream()
          .filter(e -> e.getKey().isAfter(since))
          .map(Map.Entry::getValue)
          .toList();
    }
  }

  /** Stops starting new visits and waits until the ones under way finished. */
  void pause() {
    paused.set(true);
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (busy.get() > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
  }

  void resume() {
    paused.set(false);
  }

  Set<String> everAssigned() {
    return Set.copyOf(everAssigned);
  }

  @Override
  public void close() {
    running.set(false);
    for (Thread t : threads) {
      try {
        t.join(Duration.ofSeconds(120));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    LOG.infof(
        "visitor stream: %d accepted, %d assigned, %d queued, %d errors shown",
        accepted.get(), assigned.get(), queued.get(), shownErrors.get());
  }
}
