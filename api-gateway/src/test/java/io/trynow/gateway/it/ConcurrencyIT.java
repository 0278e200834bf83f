package io.trynow.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trynow.model.InstanceState;
import io.trynow.platform.state.ConsistencyChecker;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.RequestRecord;
import io.trynow.platform.state.RequestState;
import io.trynow.platform.state.Store;
import io.trynow.testsupport.RealServersResource;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Many visitors at once against the real gateway and pool-service: invariants after the storm. */
@QuarkusTest
@WithTestResource(RealServersResource.class)
class ConcurrencyIT {

  static PoolProcess pool;
  static final ObjectMapper JSON = new ObjectMapper();

  @Inject Store store;

  @TestHTTPResource("/v1/demos")
  URL demos;

  @BeforeAll
  static void startPool() {
    Store s =
        Store.connect(RealServersResource.servers().valkey().url(), RealServersResource.prefix());
    try (s) {
      pool = GatewayHarness.startPool(s, Map.of());
    }
  }

  @AfterAll
  static void stopPool() {
    if (pool != null) {
      pool.close();
    }
  }

  record Answer(int status, JsonNode body, HttpResponse<String> raw) {}

  /** {@code n} acquires released at once; {@code ip.apply(i)} is the i-th caller's address. */
  List<Answer> storm(int n, IntFunction<String> ip) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Answer>> futures = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < n; i++) {
        String addr = ip.apply(i);
        futures.add(
            pool.submit(() -> {
              go.await();
              HttpResponse<String> r =
                  http.send(
                      HttpRequest.newBuilder(URI.create(demos.toString()))
                          .timeout(Duration.ofSeconds(60))
                          .header("Content-Type", "application/json")
                          .header("X-Forwarded-For", addr)
                          .POST(HttpRequest.BodyPublishers.ofString("{\"template\":\"hello\"}"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString());
              return new Answer(r.statusCode(), JSON.readTree(r.body()), r);
            }));
      }
      go.countDown();
      List<Answer> out = new ArrayList<>();
      for (Future<Answer> f : futures) {
        out.add(f.get());
      }
      return out;
    }
  }

  @Test
  void twoHundredAcquiresAgainstFiftyReadyGiveFiftyDemosAndOneHundredFiftyQueued()
      throws Exception {
    Pools.fill(store, "hello", 50);
    List<Answer> answers = storm(200, i -> "10.7." + (i / 250) + "." + (i % 250 + 1));
    assertThat(answers).allMatch(a -> a.status() == 201 || a.status() == 202);

    Set<String> ids = new HashSet<>();
    Set<Long> positions = new HashSet<>();
    int assigned = 0;
    int queued = 0;
    for (Answer a : answers) {
      if (a.status() == 201) {
        assigned++;
        ids.add(a.body().get("id").asText());
        continue;
      }
      String status = a.body().get("status").asText();
      if (status.equals("pending")) {
        // A slow machine: the reply came after the gateway's wait. The store has the answer.
        String rid = a.body().get("request_id").asText();
        RequestRecord r =
            Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .until(() -> store.request(rid).orElse(null), java.util.Objects::nonNull);
        if (r.state() == RequestState.ASSIGNED) {
          assigned++;
          ids.add(r.instanceId());
          continue;
        }
        assertThat(r.state()).isEqualTo(RequestState.QUEUED);
        queued++;
        positions.add(r.position());
        continue;
      }
      assertThat(status).isEqualTo("queued");
      queued++;
      positions.add(a.body().get("position").asLong());
    }
    assertThat(assigned).isEqualTo(50);
    assertThat(queued).isEqualTo(150);
    assertThat(ids).as("no demo handed out twice").hasSize(50);
    assertThat(positions).as("distinct queue positions").hasSize(150);
    assertThat(positions).allMatch(p -> p >= 1 && p <= 150);

    List<Instance> held = store.instances(InstanceState.ASSIGNED);
    assertThat(held).extracting(Instance::id).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(held.stream().map(Instance::requestId).distinct().count()).isEqualTo(50);
    assertThat(store.poolStats("hello").waiting()).isEqualTo(150);
    assertThat(ConsistencyChecker.check(store)).isEmpty();
  }

  @Test
  void oneHundredConcurrentAcquiresFromOneAddressAdmitExactlyTheLimit() throws Exception {
    List<Answer> answers = storm(100, i -> "203.0.113.9");
    long admitted = answers.stream().filter(a -> a.status() == 201 || a.status() == 202).count();
    List<Answer> limited = answers.stream().filter(a -> a.status() == 429).toList();
    assertThat(admitted).isEqualTo(10);
    assertThat(limited).hasSize(90);
    for (Answer a : limited) {
      assertThat(a.body().get("type").asText())
          .isEqualTo("https://trynow.dev/problems/rate-limited");
      assertThat(a.raw().headers().firstValue("Retry-After")).isPresent();
      assertThat(a.raw().headers().firstValue("RateLimit-Policy"))
          .hasValue("\"hour\";q=10;w=3600, \"day\";q=1000;w=86400");
      assertThat(a.raw().headers().firstValue("RateLimit").orElseThrow())
          .matches("\"hour\";r=0;t=\\d+, \"day\";r=990;t=\\d+");
      assertThat(
              Problems.violations(
                  429,
                  a.raw().headers().firstValue("Content-Type").orElse(""),
                  a.raw().headers().firstValue("Trynow-Request-Id").orElse(null),
                  a.raw().body()))
          .isEmpty();
    }
    assertThat(ConsistencyChecker.check(store)).isEmpty();
  }
}
