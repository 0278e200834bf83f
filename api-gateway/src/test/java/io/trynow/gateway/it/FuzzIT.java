package io.trynow.gateway.it;

import static io.trynow.gateway.it.GatewayHarness.acquire;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.trynow.model.Ids;
import io.trynow.platform.state.Store;
import io.trynow.platform.testing.Pools;
import io.trynow.testsupport.RealServersResource;
import io.vertx.mutiny.redis.client.Command;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random bodies, headers, ids and sizes against every endpoint: never a 5xx, every error is an RFC
 * 9457 problem ({@code application/problem+json}: type, title, status, detail, request_id), and the
 * keyspace is byte-for-byte the same afterwards. Every error path of {@code /v1} is also called on
 * purpose and checked for its problem type.
 */
@QuarkusTest
@WithTestResource(RealServersResource.class)
class FuzzIT {

  static final int REQUESTS = 1500;
  static PoolProcess pool;
  static final ObjectMapper JSON = new ObjectMapper();

  @Inject Store store;
  @Inject RedisDataSource redis;

  @TestHTTPResource("/")
  URL base;

  @BeforeAll
  static void startPool() {
    Store s =
        Store.connect(RealServersResource.servers().valkey().url(), RealServersResource.prefix());
    try (s) {
      // The pool-target loop folds arrivals into the rate estimate (slo:<tpl>) every interval, a
      // write no visitor causes: slowed to once an hour so the keyspace only changes by requests.
      pool = GatewayHarness.startPool(s, Map.of("trynow.pool.target-interval", "1h"));
    }
  }

  @AfterAll
  static void stopPool() {
    if (pool != null) {
      pool.close();
    }
  }

  /** Every key with its DUMP (TTLs aside): equal snapshots mean nothing was written. */
  Map<String, String> snapshot() {
    Map<String, String> out = new TreeMap<>();
    for (var k : redis.execute(Command.KEYS, "*")) {
      String key = k.toString();
      if (key.contains("slo:")) {
        continue; // the demand estimate: pool-service folds it every target-interval, by design
      }
      var dump = redis.execute(Command.DUMP, key);
      out.put(key, dump == null ? "<gone>" : Base64.getEncoder().encodeToString(dump.toBytes()));
    }
    return out;
  }

  @Test
  void randomInputNeverFailsTheServerAndChangesNothing() throws Exception {
    // Some real state to aim at: a ready pool, an assigned demo, a queued request.
    Pools.fill(store, "hello", 2);
    Response demo = acquire("hello", "198.51.100.71");
    demo.then().statusCode(201);
    Response queued = acquire("brief", "198.51.100.72");
    queued.then().statusCode(202);
    String demoId = demo.path("id");
    String rid = queued.path("request_id");
    String ticket = ((String) demo.path("status_url")).replaceAll(".*ticket=", "");

    // Let the background work settle (the replenisher answers the queued request).
    Map<String, String>[] last = new Map[] {snapshot()};
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofSeconds(2))
        .until(() -> {
          Map<String, String> now = snapshot();
          boolean same = now.equals(last[0]);
          last[0] = now;
          return same;
        });
    Map<String, String> before = last[0];
    assertThat(before).as("keys under test").isNotEmpty();

    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    Random rnd = new Random(seed);
    Fuzzer f = new Fuzzer(rnd, demoId, rid, ticket);
    HttpClient http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      Fuzzer.Call c = f.next();
      HttpRequest.Builder b;
      try {
        // the admin API answers on the management interface, over HTTP/1.1 (on the public
        // port: 404)
        boolean management = c.path().startsWith("/admin") && rnd.nextBoolean();
        String root = management ? io.trynow.testsupport.ManagementPort.base() : base.toString();
        b = HttpRequest.newBuilder(URI.create(root.replaceAll("/$", "") + c.path()));
        if (management) {
          b.version(HttpClient.Version.HTTP_1_1);
        }
      } catch (IllegalArgumentException e) {
        continue; // not even a URI: the client refuses to send it
      }
      b.timeout(Duration.ofSeconds(15))
          .method(c.method(), HttpRequest.BodyPublishers.ofByteArray(c.body()));
      for (Map.Entry<String, String> h : c.headers().entrySet()) {
        try {
          b.header(h.getKey(), h.getValue());
        } catch (IllegalArgumentException e) {
          // A header the client refuses to send.
        }
      }
      HttpResponse<byte[]> r;
      try {
        r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (java.io.IOException e) {
        // The server may close on a refused body; that is an answer, not a failure.
        continue;
      }
      String body = new String(r.body(), StandardCharsets.UTF_8);
      if (r.statusCode() >= 500) {
        failures.add(c + " -> " + r.statusCode() + " " + body);
      } else if (r.statusCode() == 431 || r.statusCode() == 414) {
        // Refused by the HTTP codec (request line or headers over the limits) before any
        // application code runs: a clear 4xx, but Vert.x writes it without a body.
        continue;
      } else if (r.statusCode() >= 400 && !c.path().startsWith("/q/")) {
        List<String> wrong = Problems.violations(r);
        if (!wrong.isEmpty()) {
          failures.add(c + " -> " + r.statusCode() + " not a problem: " + wrong + " " + body);
        }
      }
    }
    assertThat(failures).as("fuzz seed " + seed).isEmpty();
    assertThat(snapshot()).as("keyspace after fuzz (seed " + seed + ")").isEqualTo(before);
  }

  /** One call on purpose: method, path, headers, body, and the status and problem type expected. */
  record ErrorCall(
      String method,
      String path,
      Map<String, String> headers,
      String body,
      int status,
      String slug) {}

  @Test
  void everyErrorPathOfV1AnswersItsProblem() throws Exception {
    Pools.fill(store, "hello", 1);
    Response demo = acquire("hello", "198.51.100.73");
    demo.then().statusCode(201);
    String id = demo.path("id");
    String token = demo.path("access_token");
    String otherToken = "Bearer " + "x".repeat(43);
    String unknownDemo = Ids.newInstanceId();
    String unknownRid = Ids.newRequestId();
    Map<String, String> json = Map.of("Content-Type", "application/json");
    Map<String, String> owner = Map.of("Authorization", "Bearer " + token);
    Map<String, String> stranger = Map.of("Authorization", otherToken);
    List<ErrorCall> calls =
        List.of(
            new ErrorCall("POST", "/v1/demos", json, "", 400, "bad-request"),
            new ErrorCall("POST", "/v1/demos", json, "{\"template\":", 400, "bad-request"),
            new ErrorCall(
                "POST", "/v1/demos", json, "{\"template\":\"hello\",\"x\":1}", 400, "bad-request"),
            new ErrorCall("POST", "/v1/demos", json, "{\"template\":\"\"}", 400, "bad-request"),
            new ErrorCall(
                "POST", "/v1/demos", json, "{\"template\":\"nope\"}", 400, "unknown-template"),
            new ErrorCall(
                "POST",
                "/v1/demos",
                json,
                "{\"template\":\"hello\",\"fields\":{\"x\":\"1\"}}",
                400,
                "invalid-field"),
            new ErrorCall(
                "POST",
                "/v1/demos",
                Map.of("Content-Type", "application/json", "Idempotency-Key", "short"),
                "{\"template\":\"hello\"}",
                400,
                "bad-request"),
            new ErrorCall(
                "POST",
                "/v1/demos",
                Map.of("Content-Type", "application/json", "Origin", "http://evil.example.test"),
                "{\"template\":\"hello\"}",
                403,
                "origin-not-allowed"),
            new ErrorCall(
                "POST",
                "/v1/demos",
                Map.of(
                    "Content-Type", "application/json", "Origin", "http://blog.example.test:8000"),
                "{\"template\":\"brief\"}",
                403,
                "origin-not-allowed"),
            new ErrorCall(
                "POST",
                "/v1/demos",
                Map.of("Content-Type", "text/plain"),
                "x",
                415,
                "unsupported-media-type"),
            new ErrorCall(
                "POST",
                "/v1/demos",
                json,
                "{\"template\":\"" + "h".repeat(20_000) + "\"}",
                413,
                "payload-too-large"),
            new ErrorCall("PUT", "/v1/demos", json, "{}", 405, "method-not-allowed"),
            new ErrorCall("GET", "/v1/nothing-here", Map.of(), "", 404, "not-found"),
            new ErrorCall("GET", "/v1/demos/not-an-id", Map.of(), "", 400, "invalid-id"),
            new ErrorCall("GET", "/v1/demos/" + unknownDemo, owner, "", 404, "not-found"),
            new ErrorCall("GET", "/v1/demos/" + id, Map.of(), "", 401, "unauthorized"),
            new ErrorCall("GET", "/v1/demos/" + id, stranger, "", 403, "forbidden"),
            new ErrorCall("GET", "/v1/demos/" + id + "?ticket=1.x", Map.of(), "", 403, "forbidden"),
            new ErrorCall(
                "POST",
                "/v1/demos/" + id + "/extend",
                json,
                "{\"minutes\":1}",
                401,
                "unauthorized"),
            new ErrorCall(
                "POST",
                "/v1/demos/" + id + "/extend",
                Map.of("Content-Type", "application/json", "Authorization", otherToken),
                "{\"minutes\":1}",
                403,
                "forbidden"),
            new ErrorCall(
                "POST",
                "/v1/demos/" + id + "/extend",
                Map.of("Content-Type", "application/json", "Authorization", "Bearer " + token),
                "{\"minutes\":100000}",
                400,
                "bad-request"),
            new ErrorCall(
                "POST",
                "/v1/demos/" + id + "/extend",
                Map.of("Content-Type", "text/plain", "Authorization", "Bearer " + token),
                "x",
                415,
                "unsupported-media-type"),
            new ErrorCall("DELETE", "/v1/demos/" + id, Map.of(), "", 401, "unauthorized"),
            new ErrorCall("DELETE", "/v1/demos/" + id, stranger, "", 403, "forbidden"),
            new ErrorCall("DELETE", "/v1/demos/" + unknownDemo, owner, "", 404, "not-found"),
            new ErrorCall("GET", "/v1/demos/" + id + "/events", Map.of(), "", 401, "unauthorized"),
            new ErrorCall("GET", "/v1/requests/bad", Map.of(), "", 400, "invalid-id"),
            new ErrorCall("GET", "/v1/requests/" + unknownRid, owner, "", 404, "not-found"),
            new ErrorCall(
                "DELETE", "/v1/requests/" + unknownRid, Map.of(), "", 401, "unauthorized"),
            new ErrorCall("DELETE", "/v1/requests/" + unknownRid, owner, "", 404, "not-found"),
            new ErrorCall(
                "GET", "/v1/requests/" + unknownRid + "/events", Map.of(), "", 404, "not-found"),
            new ErrorCall("POST", "/v1/templates", json, "{}", 405, "method-not-allowed"));
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    List<String> failures = new ArrayList<>();
    for (ErrorCall c : calls) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + c.path()))
              .timeout(Duration.ofSeconds(15))
              .method(c.method(), HttpRequest.BodyPublishers.ofString(c.body()));
      // an oversized body is refused before it is read: let the client wait for that answer
      b.expectContinue(c.body().length() > 16 * 1024);
      c.headers().forEach(b::header);
      HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      String body = new String(r.body(), StandardCharsets.UTF_8);
      List<String> wrong = new ArrayList<>(Problems.violations(r));
      if (r.statusCode() != c.status()) {
        wrong.add("status " + r.statusCode() + " (expected " + c.status() + ")");
      }
      if (!body.contains("\"type\":\"" + Problems.BASE + c.slug() + "\"")) {
        wrong.add("not of type " + c.slug());
      }
      if (!wrong.isEmpty()) {
        failures.add(
            c.method() + " " + c.path() + " " + c.headers().keySet() + ": " + wrong + " " + body);
      }
    }
    assertThat(failures).isEmpty();
  }

  /** Makes random calls; never a valid acquire, never the real token or admin key on a write. */
  static final class Fuzzer {
    record Call(String method, String path, Map<String, String> headers, byte[] body) {
      @Override
      public String toString() {
        String b = new String(body, StandardCharsets.UTF_8);
        return method
            + " "
            + path
            + " "
            + headers
            + " body="
            + (b.length() > 80 ? b.substring(0, 80) + "…" : b);
      }
    }

    private final Random rnd;
    private final String demoId;
    private final String rid;
    private final String ticket;

    Fuzzer(Random rnd, String demoId, String rid, String ticket) {
      this.rnd = rnd;
      this.demoId = demoId;
      this.rid = rid;
      this.ticket = ticket;
    }

    <T> T pick(List<T> l) {
      return l.get(rnd.nextInt(l.size()));
    }

    String id() {
      return pick(
          List.of(
              demoId,
              rid,
              Ids.newInstanceId(),
              Ids.newRequestId(),
              "",
              "x",
              "..",
              "%2e%2e%2fadmin",
              "i" + "a".repeat(40),
              "IAAAAAAAAAAAAAAAAAAA",
              "r" + "0".repeat(25),
              "%00",
              "%F0%9F%92%A5",
              "1;DROP",
              "9223372036854775808",
              "-1",
              "0",
              "1",
              "a".repeat(rnd.nextInt(3000))));
    }

    String path() {
      String id = id();
      return pick(
          List.of(
              "/v1/demos",
              "/v1/demos/" + id,
              "/v1/demos/" + id + "/extend",
              "/v1/demos/" + id + "/events",
              "/v1/requests/" + id,
              "/v1/requests/" + id + "/events",
              "/v1/templates",
              "/v1/templates/" + id,
              "/v1/" + id,
              "/admin/pools",
              "/admin/instances",
              "/admin/instances?state=" + id,
              "/admin/instances/" + id,
              "/admin/instances/" + id + "/terminate",
              "/admin/dead-letters",
              "/admin/dead-letters?after=" + id + "&limit=" + id,
              "/admin/dead-letters/" + id,
              "/admin/dead-letters/" + id + "/replay",
              "/admin/dead-letters/replay",
              "/" + id,
              "/v2/demos"));
    }

    byte[] body() {
      String s =
          switch (rnd.nextInt(14)) {
            case 0 -> "";
            case 1 -> "{";
            case 2 -> "{\"template\":\"hello\",\"extra\":1}";
            case 3 -> "{\"template\":" + rnd.nextInt() + "}";
            case 4 -> "{\"template\":\"nope-" + rnd.nextInt(1000) + "\"}";
            case 5 -> "{\"template\":null}";
            case 6 -> "[" + "[".repeat(rnd.nextInt(5000)) + "]";
            case 7 ->
                "{\"minutes\":"
                    + pick(List.of("-1", "0", "1e9", "\"5\"", "null", "3.5", "99999999999"))
                    + "}";
            case 8 -> "x".repeat(16 * 1024 + rnd.nextInt(4096));
            case 9 ->
                "{\"sequences\":"
                    + pick(List.of("[]", "[-1]", "[\"a\"]", "null", "[1,2,3]", "{}"))
                    + "}";
            case 10 -> "\u0000\u0001\u00ff garbage";
            case 11 -> "{\"template\":\"" + "h".repeat(rnd.nextInt(20000)) + "\"}";
            case 12 -> "{\"template\":\"BRIEF\"}";
            default -> "{\"a\":{\"b\":{\"c\":[1,2,{\"d\":\"" + rnd.nextLong() + "\"}]}}}";
          };
      if (rnd.nextInt(20) == 0) {
        byte[] b = new byte[rnd.nextInt(40_000)];
        rnd.nextBytes(b);
        return b;
      }
      return s.getBytes(StandardCharsets.UTF_8);
    }

    Map<String, String> headers() {
      Map<String, String> h = new TreeMap<>();
      if (rnd.nextBoolean()) {
        h.put(
            "Content-Type",
            pick(
                List.of(
                    "application/json",
                    "application/json; charset=utf-8",
                    "text/plain",
                    "application/xml",
                    "multipart/form-data; boundary=x",
                    "garbage/",
                    "application/x-www-form-urlencoded")));
      }
      if (rnd.nextBoolean()) {
        h.put(
            "Authorization",
            pick(
                List.of(
                    "Bearer " + io.trynow.gateway.auth.AccessTokens.newToken(),
                    "Bearer ",
                    "Basic YWRtaW46YWRtaW4=",
                    "Bearer " + "a".repeat(rnd.nextInt(5000)),
                    "Bearer wrong-admin-key",
                    "bearer\t\t",
                    "Bearer ☃")));
      }
      if (rnd.nextInt(4) == 0) {
        h.put(
            "Idempotency-Key",
            pick(
                List.of(
                    "", "short", "x".repeat(500), "ünïcödé-key-123456", "a b c d e f g h i j")));
      }
      if (rnd.nextInt(4) == 0) {
        h.put(
            "X-Forwarded-For",
            pick(List.of("1.2.3.4", "garbage", "::1, 999.1.1.1", ",,,", "a".repeat(2000))));
      }
      if (rnd.nextInt(4) == 0) {
        h.put("Last-Event-ID", pick(List.of("-1", "abc", "99999999999999999999", "1\u0000")));
      }
      if (rnd.nextInt(3) == 0) {
        h.put("Accept", pick(List.of("text/event-stream", "application/xml", "*/*", "text/html")));
      }
      if (rnd.nextInt(5) == 0) {
        // A real ticket, but never with a token: read-only anyway.
        h.put("X-Ticket-Hint", ticket);
      }
      return h;
    }

    Call next() {
      String method = pick(List.of("GET", "POST", "DELETE", "PUT", "PATCH", "POST", "GET"));
      String path = path();
      if (rnd.nextInt(6) == 0) {
        path =
            path
                + (path.contains("?") ? "&" : "?")
                + "ticket="
                + pick(List.of(ticket, "1.x", "", "99999999999." + "A".repeat(43)));
      }
      if (path.endsWith("/events") || path.contains("/events?")) {
        // An authorised stream would stay open: only ever fuzz it without valid credentials.
        path = path.replaceAll("ticket=[^&]*", "ticket=1.x");
      }
      return new Call(method, path, headers(), method.equals("GET") ? new byte[0] : body());
    }
  }
}
