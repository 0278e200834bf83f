package io.trynow.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.trynow.model.Headers;
import io.trynow.model.InstanceState;
import io.trynow.model.Subjects;
import io.trynow.platform.state.ConsistencyChecker;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.RequestRecord;
import io.trynow.platform.state.RequestState;
import io.trynow.platform.state.Store;
import io.trynow.platform.testing.Pools;
import io.trynow.testsupport.RealServersResource;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * "An acquire the gateway reports as failed is never served afterwards": visitors keep acquiring
 * while the nats-server is frozen (SIGSTOP: its JetStream stops answering, the publishes sit in its
 * socket) and then resumes (SIGCONT: it reads them, stores them and pool-service delivers them,
 * after the gateway has given up on their PubAck). Afterwards every answer a visitor got agrees
 * with Valkey: a 5xx-answered request holds nothing and never will, a 201 holds its demo, a 202
 * ends served or visibly failed at its status URL, and no instance is held by a request nobody
 * knows.
 */
@QuarkusTest
@TestProfile(NatsOutageIT.ShortPubAck.class)
@WithTestResource(RealServersResource.class)
class NatsOutageIT {

  /** A short PubAck wait, so that a frozen NATS fails an acquire in ~2 s rather than 6. */
  public static class ShortPubAck implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "trynow.messaging.pub-ack-timeout", "1s",
          "trynow.messaging.publish-attempts", "2",
          "trynow.gateway.reply-wait", "5s");
    }
  }

  static final ObjectMapper JSON = new ObjectMapper();
  static final int READY = 40;

  @Inject Store store;

  @TestHTTPResource("/v1/demos")
  URL demos;

  /** An answer: status, body and the {@code Trynow-Request-Id} header. */
  record Answer(int status, JsonNode body, String requestIdHeader) {
    String bodyRequestId() {
      return body.get("request_id").asText();
    }
  }

  @Test
  void anAcquireAnsweredAsFailedDuringANatsOutageIsNeverServed() throws Exception {
    try (PoolProcess pool = GatewayHarness.startPool(store, Map.of())) {
      Pools.fill(store, "hello", READY);
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger seq = new AtomicInteger();
      long natsPid = RealServersResource.servers().nats().pid();
      try (ExecutorService visitors = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int v = 0; v < 4; v++) {
          visitors.submit(() -> {
            while (running.get()) {
              int n = seq.incrementAndGet();
              answers.add(acquire(http, "10.9." + (n / 250) + "." + (n % 250 + 1)));
            }
            return null;
          });
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> answers.size() >= 4);
        signal("STOP", natsPid);
        try {
          // acquires in flight when NATS froze, and new ones, run into the missing PubAck
          Awaitility.await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> answers.stream().filter(a -> a.status() >= 500).count() >= 8);
        } finally {
          signal("CONT", natsPid);
        }
        int before = answers.size();
        Awaitility.await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> answers.size() >= before + 4); // traffic flows again
        running.set(false);
      }

      // pool-service has handled every stored acquire (a work-queue stream is empty once acked)
      try (Connection nc = Nats.connect(RealServersResource.servers().nats().url())) {
        var jsm = nc.jetStreamManagement();
        Awaitility.await()
            .atMost(Duration.ofSeconds(90))
            .until(() ->
                jsm.getStreamInfo(Subjects.STREAM_ACQUIRE).getStreamState().getMsgCount() == 0);
      }
      // The gateway's fast path hands out ready demos without NATS, so the pool may be empty by
      // the end and later visitors queued: one demo made ready (handed over by mark_ready) per
      // waiting visitor, as a refill would, so every 202 ends in a demo or a visible end.
      int extra = 0;
      for (String id : Pools.requested(store, "hello", (int) store.poolStats("hello").waiting())) {
        assertThat(store.provisioning().markReady(Pools.started(store, id).id(), Pools.url(id)))
            .isInstanceOf(io.trynow.platform.state.ReadyResult.HandedOver.class);
        extra++;
      }

      Set<String> holding = new HashSet<>();
      int failed = 0;
      for (Answer a : answers) {
        if (a.status() >= 500) {
          failed++;
          assertThat(a.status()).isEqualTo(503);
          continue;
        }
        assertThat(a.status()).as("answer %s", a.body()).isIn(201, 202);
        String rid = a.body().get("request_id").asText();
        if (a.status() == 201) {
          holding.add(rid);
          continue;
        }
        // 202: the status URL ends in a demo or a visible end
        String statusUrl = a.body().get("status_url").asText();
        JsonNode status =
            Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .until(
                    () -> get(http, statusUrl),
                    s ->
                        !s.get("status").asText().equals("pending")
                            && !s.get("status").asText().equals("queued"));
        if (status.get("status").asText().equals("assigned")) {
          assertThat(status.get("demo").get("status").asText()).isEqualTo("assigned");
          holding.add(rid);
        } else {
          assertThat(status.get("status").asText()).isIn("failed", "expired");
        }
      }
      assertThat(failed).as("acquires answered 503 during the outage").isGreaterThanOrEqualTo(8);

      // every 503-answered request is closed in Valkey and holds nothing (its error body carries
      // the acquire's request id)
      Set<String> held = new HashSet<>();
      for (Instance i : store.instances(InstanceState.ASSIGNED)) {
        held.add(i.requestId());
      }
      for (Answer a : answers) {
        if (a.status() >= 500) {
          String rid = a.body().get("request_id").asText();
          RequestRecord r = store.request(rid).orElseThrow();
          assertThat(r.state()).as("request %s answered 503", rid).isEqualTo(RequestState.FAILED);
          assertThat(r.instanceId()).isNull();
          assertThat(held).doesNotContain(rid);
        }
      }
      assertThat(held)
          .as("every held demo belongs to a visitor who was told so (none wasted)")
          .containsExactlyInAnyOrderElementsOf(holding);
      assertThat(store.poolStats("hello").ready() + held.size())
          .as("no instance leaked")
          .isEqualTo(READY + extra);
      assertThat(ConsistencyChecker.check(store)).isEmpty();

      // the outage was real: acquires the gateway had given up on reached pool-service later and
      // were refused there as closed requests (before the fix they were served to nobody)
      long refused = closedRequestsRefused(http, pool);
      System.out.printf(
          "NatsOutageIT: %d acquires: %d answered 503 during the outage, %d later delivered to"
              + " pool-service and refused as closed; %d demos held, all by visitors told so%n",
          answers.size(), failed, refused, held.size());
      assertThat(refused).as("late deliveries of 503-answered acquires").isGreaterThanOrEqualTo(1);
    }
  }

  /**
   * A 503 says nothing will be served for that request; a retry with the same Idempotency-Key is a
   * new attempt that can get a demo, while the first attempt stays closed (its late delivery is
   * refused), and a repeat of the retry lands on the retry's demo. Each answer's {@code
   * Trynow-Request-Id} header names the attempt its body names: a retry answered 503 again, and the
   * retry that is served, each under its own new id.
   */
  @Test
  void aRetryWithTheSameIdempotencyKeyAfterA503GetsADemo() throws Exception {
    try (PoolProcess pool = GatewayHarness.startPool(store, Map.of())) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      String ip = "10.8.0.1";
      String key = "retry-after-503-0123456789";
      long natsPid = RealServersResource.servers().nats().pid();
      Answer first;
      Answer second;
      signal("STOP", natsPid);
      try {
        // nothing ready: the fast path misses and the publish is not confirmed
        first = acquire(http, ip, key);
        // still down: the retry is the key's second attempt, closed in its turn
        second = acquire(http, ip, key);
      } finally {
        signal("CONT", natsPid);
      }
      assertThat(first.status()).as("first attempt: %s", first.body()).isEqualTo(503);
      String abandoned = first.bodyRequestId();
      assertThat(first.requestIdHeader()).isEqualTo(abandoned);
      assertThat(second.status()).as("second attempt: %s", second.body()).isEqualTo(503);
      String abandonedAgain = second.bodyRequestId();
      assertThat(abandonedAgain).isNotEqualTo(abandoned);
      assertThat(second.requestIdHeader()).as("header of the second 503").isEqualTo(abandonedAgain);

      String id = Pools.fill(store, "hello", 1).getFirst();
      Answer retry = acquire(http, ip, key);
      assertThat(retry.status()).as("retry: %s", retry.body()).isEqualTo(201);
      assertThat(retry.body().get("id").asText()).isEqualTo(id);
      String served = retry.bodyRequestId();
      assertThat(served).isNotIn(abandoned, abandonedAgain);
      assertThat(retry.requestIdHeader()).as("header of the served retry").isEqualTo(served);

      // idempotent again: the same key lands on the retry's demo
      Answer again = acquire(http, ip, key);
      assertThat(again.status()).isEqualTo(201);
      assertThat(again.body().get("id").asText()).isEqualTo(id);
      assertThat(again.bodyRequestId()).isEqualTo(served);
      assertThat(again.requestIdHeader()).isEqualTo(served);
      assertThat(again.body().get("access_token").asText())
          .isEqualTo(retry.body().get("access_token").asText());

      // the first attempt was never served: its late delivery (if stored) is refused
      try (Connection nc = Nats.connect(RealServersResource.servers().nats().url())) {
        var jsm = nc.jetStreamManagement();
        Awaitility.await()
            .atMost(Duration.ofSeconds(60))
            .until(() ->
                jsm.getStreamInfo(Subjects.STREAM_ACQUIRE).getStreamState().getMsgCount() == 0);
      }
      for (String rid : new String[] {abandoned, abandonedAgain}) {
        RequestRecord closed = store.request(rid).orElseThrow();
        assertThat(closed.state()).isEqualTo(RequestState.FAILED);
        assertThat(closed.instanceId()).isNull();
      }
      assertThat(store.instance(id).orElseThrow().requestId()).isEqualTo(served);
      assertThat(ConsistencyChecker.check(store)).isEmpty();
    }
  }

  private Answer acquire(HttpClient http, String ip) throws Exception {
    return acquire(http, ip, null);
  }

  private Answer acquire(HttpClient http, String ip, String idempotencyKey) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(demos.toString()))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .header("X-Forwarded-For", ip)
            .POST(HttpRequest.BodyPublishers.ofString("{\"template\":\"hello\"}"));
    if (idempotencyKey != null) {
      b.header("Idempotency-Key", idempotencyKey);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(
        r.statusCode(),
        JSON.readTree(r.body()),
        r.headers().firstValue(Headers.REQUEST_ID).orElse(null));
  }

  private JsonNode get(HttpClient http, String url) throws Exception {
    URI u = URI.create(demos.toString()).resolve(url);
    HttpResponse<String> r =
        http.send(HttpRequest.newBuilder(u).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET %s: %s", url, r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** pool-service's count of acquires it answered as an ended (closed) request. */
  private static long closedRequestsRefused(HttpClient http, PoolProcess pool) throws Exception {
    String metrics =
        http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pool.port() + "/q/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Matcher m =
        Pattern.compile("trynow_pool_acquires_total\\{[^}]*outcome=\"failed\"[^}]*} ([0-9.]+)")
            .matcher(metrics);
    long n = 0;
    while (m.find()) {
      n += (long) Double.parseDouble(m.group(1));
    }
    return n;
  }

  private static void signal(String sig, long pid) throws Exception {
    Process p = new ProcessBuilder("kill", "-" + sig, String.valueOf(pid)).inheritIO().start();
    assertThat(p.waitFor()).as("kill -%s %d", sig, pid).isZero();
  }
}
