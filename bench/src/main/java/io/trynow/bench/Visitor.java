package io.trynow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.trynow.model.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One visitor of the local stack, as a browser would go: {@code POST /v1/demos}; when queued, as
 * the embed widget ({@code web/embed/v1/trynow.js}) waits: the request's event stream ({@code
 * events_url}, Server-Sent Events) and one read of the status URL on {@code assigned} (or on any
 * end of the wait) — or, with {@code TRYNOW_BENCH_WAIT=poll}, the status URL every 50 ms (the
 * widget's fallback, much faster than its real 2 s); then the demo page through Caddy until it
 * answers 200. Caddy routes by host ({@code <id>.demo.localhost}): the request goes to 127.0.0.1
 * with that Host header (the JDK allows it with {@code jdk.httpclient.allowRestrictedHeaders=host},
 * set by {@link #client()}).
 */
final class Visitor {

  static final Duration POLL = Duration.ofMillis(50);

  /** Queued visitors follow the event stream (default) or poll the status URL every 50 ms. */
  static final boolean POLLING = "poll".equals(System.getenv("TRYNOW_BENCH_WAIT"));

  /** Event streams that ended before the visitor was assigned (then the visitor polls). */
  static final java.util.concurrent.atomic.AtomicInteger STREAM_FALLBACKS =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * Page reads sent again after the connection failed before an answer. All pages go to Caddy's one
   * listener (127.0.0.1, the demo's host in the Host header), so they share the client's pooled
   * connections, and Caddy closes its idle connections whenever its config changes (proxy-sync adds
   * a route per instance, many a second in a crowd): a pooled connection can be closed as it is
   * taken. The JDK client sends such a GET again once by itself; when that one fails too (the
   * reload closed every idle connection), the visitor sends it again, as a browser does, and the
   * count is printed. (A final crowd run of session 12 lost one visitor of 60 to "HTTP/1.1 header
   * parser received no bytes" at a step it did not name; a failure now names its step.)
   */
  static final java.util.concurrent.atomic.AtomicInteger PAGE_RETRIES =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * What one visit measured, in ms from the visitor's click ({@code clickEpochMs}, wall clock, to
   * line the visit up with the store's and the engine's timestamps); {@code requestId} is set when
   * the visitor was queued.
   */
  record Visit(
      boolean warm,
      double apiMs,
      double assignedMs,
      double pageMs,
      String id,
      String token,
      long clickEpochMs,
      String requestId) {}

  private Visitor() {}

  static HttpClient client() {
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    return HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(5))
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  /** POST /v1/demos; returns the status code and the JSON body. */
  static Map.Entry<Integer, JsonNode> acquire(HttpClient http, int gatewayPort, String template)
      throws Exception {
    HttpResponse<byte[]> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/v1/demos"))
                .header("content-type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"template\":\"" + template + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    return Map.entry(r.statusCode(), Json.read(r.body(), JsonNode.class));
  }

  /** The whole visit: acquire, wait if queued, then the page. */
  static Visit visit(HttpClient http, int gatewayPort, String template, Duration patience)
      throws Exception {
    long clickEpochMs = System.currentTimeMillis();
    long t0 = System.nanoTime();
    Map.Entry<Integer, JsonNode> a;
    try {
      a = acquire(http, gatewayPort, template);
    } catch (java.io.IOException e) {
      throw new java.io.IOException("POST /v1/demos: " + e, e);
    }
    double apiMs = ms(t0);
    JsonNode body = a.getValue();
    String token = body.path("access_token").asText(null);
    String url;
    String id;
    String rid = null;
    boolean warm;
    if (a.getKey() == 201) {
      warm = true;
      url = body.path("url").asText();
      id = body.path("id").asText();
    } else if (a.getKey() == 202) {
      warm = false;
      rid = body.path("request_id").asText();
      String events = body.path("events_url").asText("");
      JsonNode demo;
      try {
        demo =
            POLLING || events.isEmpty()
                ? awaitAssigned(http, gatewayPort, rid, token, t0, patience)
                : followEvents(http, gatewayPort, events, rid, token, t0, patience);
      } catch (java.io.IOException e) {
        throw new java.io.IOException("waiting for request " + rid + ": " + e, e);
      }
      url = demo.path("url").asText();
      id = demo.path("id").asText();
    } else {
      throw new IllegalStateException("POST /v1/demos answered " + a.getKey() + ": " + body);
    }
    double assignedMs = ms(t0);
    awaitPage(http, url, t0, patience);
    return new Visit(warm, apiMs, assignedMs, ms(t0), id, token, clickEpochMs, rid);
  }

  /**
   * The widget's wait: the request's event stream until an event that may end the wait, then one
   * status read (the demo). A stream that ends first falls back to polling.
   */
  static JsonNode followEvents(
      HttpClient http,
      int gatewayPort,
      String eventsUrl,
      String rid,
      String token,
      long t0,
      Duration patience)
      throws Exception {
    URI base = URI.create("http://127.0.0.1:" + gatewayPort + "/");
    HttpRequest req =
        HttpRequest.newBuilder(base.resolve(eventsUrl))
            .header("accept", "text/event-stream")
            .timeout(patience)
            .build();
    HttpResponse<java.util.stream.Stream<String>> r =
        http.send(req, HttpResponse.BodyHandlers.ofLines());
    if (r.statusCode() == 200) {
      try (java.util.stream.Stream<String> lines = r.body()) {
        java.util.Iterator<String> it = lines.iterator();
        while (it.hasNext() && System.nanoTime() - t0 < patience.toNanos()) {
          String line = it.next();
          if (line.startsWith("event:")
              && List.of("assigned", "state", "expired", "failed", "unavailable")
                  .contains(line.substring(6).strip())) {
            Optional<JsonNode> demo = status(http, gatewayPort, rid, token);
            if (demo.isPresent()) {
              return demo.get();
            }
          }
        }
      }
    } else {
      r.body().close();
    }
    STREAM_FALLBACKS.incrementAndGet();
    return awaitAssigned(http, gatewayPort, rid, token, t0, patience);
  }

  /** One status read: the demo when assigned; throws when the request ended without one. */
  static Optional<JsonNode> status(HttpClient http, int gatewayPort, String rid, String token)
      throws Exception {
    HttpResponse<byte[]> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gatewayPort + "/v1/requests/" + rid))
                .header("authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      return Optional.empty();
    }
    JsonNode b = Json.read(r.body(), JsonNode.class);
    String status = b.path("status").asText();
    if (status.equals("assigned") && b.has("demo")) {
      return Optional.of(b.path("demo"));
    }
    if (status.equals("failed") || status.equals("expired") || status.equals("unavailable")) {
      throw new IllegalStateException("request " + rid + " " + status);
    }
    return Optional.empty();
  }

  static JsonNode awaitAssigned(
      HttpClient http, int gatewayPort, String rid, String token, long t0, Duration patience)
      throws Exception {
    while (System.nanoTime() - t0 < patience.toNanos()) {
      Optional<JsonNode> demo = status(http, gatewayPort, rid, token);
      if (demo.isPresent()) {
        return demo.get();
      }
      Thread.sleep(POLL);
    }
    throw new IllegalStateException("request " + rid + " not assigned within " + patience);
  }

  static void awaitPage(HttpClient http, String url, long t0, Duration patience) throws Exception {
    URI u = URI.create(url);
    HttpRequest req =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + u.getPort() + u.getRawPath()))
            .header("host", u.getHost() + ":" + u.getPort())
            .timeout(Duration.ofSeconds(10))
            .build();
    while (System.nanoTime() - t0 < patience.toNanos()) {
      HttpResponse<Void> r;
      try {
        r = http.send(req, HttpResponse.BodyHandlers.discarding());
      } catch (java.net.http.HttpTimeoutException e) {
        throw new java.io.IOException("page " + url + ": " + e, e);
      } catch (java.io.IOException e) {
        PAGE_RETRIES.incrementAndGet(); // a pooled connection Caddy closed (see PAGE_RETRIES)
        Thread.sleep(20);
        continue;
      }
      if (r.statusCode() == 200) {
        return;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException(url + " did not answer 200 within " + patience);
  }

  /** DELETE /v1/requests/{rid}: a visitor who gave up leaves the queue (best effort). */
  static void leaveQueue(HttpClient http, int gatewayPort, String rid, String token) {
    try {
      delete(http, gatewayPort, "/v1/requests/" + rid, token);
    } catch (Exception e) {
      // the request expires by itself
    }
  }

  /** DELETE /v1/demos/{id} with the visitor's token. */
  static int release(HttpClient http, int gatewayPort, String id, String token) throws Exception {
    return delete(http, gatewayPort, "/v1/demos/" + id, token);
  }

  private static int delete(HttpClient http, int gatewayPort, String path, String token)
      throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + path))
                .header("authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(10))
                .DELETE()
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  /** {@link #release} on a virtual thread, so that the caller's next request is not delayed. */
  static void releaseLater(HttpClient http, int gatewayPort, String id, String token) {
    Thread.ofVirtual()
        .start(() -> {
          try {
            release(http, gatewayPort, id, token);
          } catch (Exception e) {
            System.out.println("release failed: " + e.getMessage());
          }
        });
  }

  static double ms(long t0) {
    return (System.nanoTime() - t0) / 1e6;
  }
}
