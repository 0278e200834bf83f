package io.trynow.gateway.it;

import static io.restassured.RestAssured.given;
import static io.trynow.gateway.it.GatewayHarness.acquire;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.StreamInfo;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.trynow.model.AcquireRequest;
import io.trynow.model.Ids;
import io.trynow.model.InstanceState;
import io.trynow.model.Subjects;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.Store;
import io.trynow.platform.testing.Pools;
import io.trynow.testsupport.ManagementPort;
import io.trynow.testsupport.RealServersResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The visitor's path through the real gateway and the real pool-service, pool filled in Valkey. */
@QuarkusTest
@WithTestResource(RealServersResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VisitorFlowIT {

  static PoolProcess pool;

  @Inject Store store;
  @Inject Publisher publisher;

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

  @Test
  void warmPoolGives201WithTheDemoAndAToken() {
    List<String> ids = Pools.fill(store, "hello", 2);
    Response r = acquire("hello", "198.51.100.1");
    r.then()
        .statusCode(201)
        .header("Location", org.hamcrest.Matchers.endsWith("/v1/demos/" + r.path("id")))
        .header("RateLimit-Policy", "\"hour\";q=10;w=3600, \"day\";q=1000;w=86400")
        .header(
            "RateLimit",
            org.hamcrest.Matchers.matchesPattern("\"hour\";r=9;t=\\d+, \"day\";r=\\d+;t=\\d+"))
        .body("status", equalTo("assigned"))
        .body("template", equalTo("hello"))
        .body("url", equalTo(Pools.url(r.path("id"))))
        .body("access_token", notNullValue())
        .body("expires_at", notNullValue())
        .body("max_expires_at", notNullValue());
    String id = r.path("id");
    assertThat(ids).hasSize(2);
    String token = r.path("access_token");
    assertThat(token).hasSize(43);
    Instance i = store.instance(id).orElseThrow();
    assertThat(i.state()).isEqualTo(InstanceState.ASSIGNED);
    assertThat(i.ownerTokenHash()).isNotEqualTo(token).hasSize(64);
    assertThat(i.clientIp()).isEqualTo("198.51.100.1");
    assertThat(r.header("Trynow-Request-Id")).isEqualTo(i.requestId());

    given()
        .auth()
        .oauth2(token)
        .get("/v1/demos/" + id)
        .then()
        .statusCode(200)
        .body("status", equalTo("assigned"))
        .body("url", equalTo(Pools.url(id)));
    // The ticket of status_url reads it too, without the token.
    String statusUrl = r.path("status_url");
    given().get(statusUrl).then().statusCode(200).body("id", equalTo(id));
    // status_url and events_url carry one ticket (one signature per answer).
    String eventsUrl = r.path("events_url");
    assertThat(statusUrl).matches("/v1/demos/" + id + "\\?ticket=\\d+\\.[A-Za-z0-9_-]{43}");
    assertThat(eventsUrl).isEqualTo(statusUrl.replace("?ticket=", "/events?ticket="));
  }

  /**
   * Each stage of an acquire is timed as a histogram on both sides: the gateway's on its management
   * port, pool-service's on its port.
   */
  @Test
  void acquireStagesAreTimedOnBothSides() {
    // pool-service times its stages when it assigns: a ready demo and an acquire message as the
    // gateway sends one on a miss (the gateway itself hands a ready demo out on its fast path)
    Pools.fill(store, "hello", 1);
    assertThat(
            publisher.publishAndAwaitReply(
                new AcquireRequest(
                    Ids.newRequestId(),
                    "hello",
                    "198.51.100.10",
                    "a".repeat(64),
                    System.currentTimeMillis(),
                    null),
                Duration.ofSeconds(15)))
        .isPresent();
    // the gateway's stages of both paths: a warm hit, then (nothing ready) a queued one, whose
    // request is then cancelled (the next tests fill "hello" again)
    Pools.fill(store, "hello", 1);
    while (store.poolStats("hello").ready() > 0) {
      acquire("hello", "198.51.100.9").then().statusCode(201);
    }
    Response queued = acquire("hello", "198.51.100.9");
    queued.then().statusCode(202).body("status", equalTo("queued"));
    given()
        .auth()
        .oauth2(queued.<String>path("access_token"))
        .delete("/v1/requests/" + queued.path("request_id"))
        .then()
        .statusCode(202);
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> {
          String gateway =
              given().baseUri(ManagementPort.base()).get("/q/metrics").then().extract().asString();
          for (String stage :
              List.of("dispatch", "acquire_ready", "publish", "reply", "respond", "total")) {
            assertThat(count(gateway, "trynow_gateway_acquire_stage_seconds", stage))
                .as("gateway stage %s", stage)
                .isGreaterThanOrEqualTo(1);
          }
          assertThat(gateway.lines())
              .as("histogram buckets")
              .anyMatch(l ->
                  l.startsWith("trynow_gateway_acquire_stage_seconds_bucket{")
                      && l.contains("le=\"0.001\""));
          String pools =
              given()
                  .baseUri("http://127.0.0.1:" + pool.port())
                  .get("/q/metrics")
                  .then()
                  .extract()
                  .asString();
          for (String stage : List.of("deliver", "handoff", "store", "reply")) {
            assertThat(count(pools, "trynow_pool_acquire_stage_seconds", stage))
                .as("pool stage %s", stage)
                .isGreaterThanOrEqualTo(1);
          }
        });
  }

  /** The {@code _count} of {@code meter}'s {@code stage} in a Prometheus text page (0: absent). */
  static double count(String page, String meter, String stage) {
    String prefix = meter + "_count{";
    return page.lines()
        .filter(l -> l.startsWith(prefix) && l.contains("stage=\"" + stage + "\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void tokenIsEnforcedAndAWrongOneChangesNothing() {
    Pools.fill(store, "hello", 1);
    Response r = acquire("hello", "198.51.100.2");
    r.then().statusCode(201);
    String id = r.path("id");
    String token = r.path("access_token");
    Instance before = store.instance(id).orElseThrow();
    String wrong = io.trynow.gateway.auth.AccessTokens.newToken();

    given()
        .get("/v1/demos/" + id)
        .then()
        .statusCode(401)
        .body("type", equalTo("https://trynow.dev/problems/unauthorized"));
    given().auth().oauth2(wrong).get("/v1/demos/" + id).then().statusCode(403);
    given().auth().oauth2(wrong).post("/v1/demos/" + id + "/extend").then().statusCode(403);
    given().auth().oauth2(wrong).delete("/v1/demos/" + id).then().statusCode(403);
    given().get("/v1/demos/" + id + "?ticket=1.AAAA").then().statusCode(403);
    String otherTicket =
        new io.trynow.gateway.auth.Tickets(new byte[32]).issue(id, Instant.now().plusSeconds(60));
    given().get("/v1/demos/" + id + "?ticket=" + otherTicket).then().statusCode(403);
    // A ticket is read-only: it cannot extend or release.
    String ticket = ((String) r.path("status_url")).replaceAll(".*ticket=", "");
    given().post("/v1/demos/" + id + "/extend?ticket=" + ticket).then().statusCode(401);
    given().delete("/v1/demos/" + id + "?ticket=" + ticket).then().statusCode(401);
    given().auth().oauth2(token).get("/v1/demos/" + Ids.newInstanceId()).then().statusCode(404);

    Instance after = store.instance(id).orElseThrow();
    assertThat(after).isEqualTo(before);
  }

  @Test
  void extendUntilTheCapThen409() {
    Pools.fill(store, "brief", 1);
    Response r = acquire("brief", "198.51.100.3");
    r.then().statusCode(201);
    String id = r.path("id");
    String token = r.path("access_token");
    Instance assigned = store.instance(id).orElseThrow();
    // ttl 1m, step 1m, max lifetime 3m: two extensions reach the cap.
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body("{\"minutes\":1}")
        .post("/v1/demos/" + id + "/extend")
        .then()
        .statusCode(200);
    given().auth().oauth2(token).post("/v1/demos/" + id + "/extend").then().statusCode(200);
    given()
        .auth()
        .oauth2(token)
        .post("/v1/demos/" + id + "/extend")
        .then()
        .statusCode(409)
        .body("type", equalTo("https://trynow.dev/problems/max-lifetime-reached"));
    Instance capped = store.instance(id).orElseThrow();
    assertThat(capped.expiresAt()).isEqualTo(capped.maxExpiresAt());
    assertThat(capped.maxExpiresAt()).isEqualTo(assigned.maxExpiresAt());
    given()
        .auth()
        .oauth2(token)
        .contentType(ContentType.JSON)
        .body("{\"minutes\":2}")
        .post("/v1/demos/" + id + "/extend")
        .then()
        .statusCode(400);
  }

  @Test
  void releaseQueuesTheTeardownAndIsIdempotent() throws Exception {
    Pools.fill(store, "hello", 1);
    Response r = acquire("hello", "198.51.100.4");
    r.then().statusCode(201);
    String id = r.path("id");
    String token = r.path("access_token");
    given()
        .auth()
        .oauth2(token)
        .delete("/v1/demos/" + id)
        .then()
        .statusCode(202)
        .body("status", equalTo("terminating"));
    assertThat(store.instance(id).orElseThrow().state()).isEqualTo(InstanceState.TERMINATING);
    given().auth().oauth2(token).delete("/v1/demos/" + id).then().statusCode(202);
    try (Connection c = Nats.connect(RealServersResource.servers().nats().url())) {
      StreamInfo info = c.jetStreamManagement().getStreamInfo(Subjects.STREAM_CLEANUP);
      assertThat(info.getStreamState().getSubjectCount()).isGreaterThanOrEqualTo(1);
      var msg =
          c.jetStreamManagement().getLastMessage(Subjects.STREAM_CLEANUP, Subjects.cleanup(id));
      assertThat(new String(msg.getData())).contains(id).contains("released");
      assertThat(msg.getHeaders().getFirst("Nats-Msg-Id")).isEqualTo("cleanup:" + id);
    }
    given().auth().oauth2(token).post("/v1/demos/" + id + "/extend").then().statusCode(409);
  }

  @Test
  void sameIdempotencyKeyGivesTheSameDemo() {
    Pools.fill(store, "hello", 2);
    String key = "3f2b6c1e-9f7a-4b8e-8a55-0c2a3b4d5e6f";
    Response first =
        given()
            .contentType(ContentType.JSON)
            .header("X-Forwarded-For", "198.51.100.5")
            .header("Idempotency-Key", key)
            .body("{\"template\":\"hello\"}")
            .post("/v1/demos");
    first.then().statusCode(201);
    Response again =
        given()
            .contentType(ContentType.JSON)
            .header("X-Forwarded-For", "198.51.100.5")
            .header("Idempotency-Key", key)
            .body("{\"template\":\"hello\"}")
            .post("/v1/demos");
    again.then().statusCode(201);
    assertThat((String) again.path("id")).isEqualTo(first.path("id"));
    assertThat((String) again.path("access_token")).isEqualTo(first.path("access_token"));
    assertThat(again.header("Trynow-Request-Id")).isEqualTo(first.header("Trynow-Request-Id"));
    // The same key from another client is another request.
    Response other =
        given()
            .contentType(ContentType.JSON)
            .header("X-Forwarded-For", "198.51.100.6")
            .header("Idempotency-Key", key)
            .body("{\"template\":\"hello\"}")
            .post("/v1/demos");
    other.then().statusCode(201);
    assertThat((String) other.path("id")).isNotEqualTo(first.path("id"));
  }

  @Test
  @Order(
      Integer.MAX_VALUE) // last: its queued request would take the next "brief" instance made ready
  void emptyPoolQueuesWithPositionAndTheRequestCanBeRead() {
    Response r = acquire("brief", "198.51.100.7");
    r.then()
        .statusCode(202)
        .body("status", equalTo("queued"))
        .body("position", equalTo(1))
        .body("eta_seconds", notNullValue())
        .body("status_url", notNullValue())
        .body("events_url", notNullValue());
    String rid = r.path("request_id");
    String token = r.path("access_token");
    given()
        .auth()
        .oauth2(token)
        .get("/v1/requests/" + rid)
        .then()
        .statusCode(200)
        .body("status", equalTo("queued"))
        .body("position", equalTo(1));
    given()
        .get((String) r.path("status_url"))
        .then()
        .statusCode(200)
        .body("status", equalTo("queued"));
    given().get("/v1/requests/" + rid).then().statusCode(401);
    given().get("/v1/requests/" + Ids.newRequestId() + "?ticket=1.x").then().statusCode(404);
    given()
        .get("/v1/requests/not-an-id")
        .then()
        .statusCode(400)
        .body("type", equalTo("https://trynow.dev/problems/invalid-id"));
  }

  @Test
  void templatesShowAvailability() {
    given()
        .get("/v1/templates")
        .then()
        .statusCode(200)
        .body("find { it.name == 'hello' }.default_ttl_seconds", equalTo(900))
        .body("find { it.name == 'brief' }.max_lifetime_seconds", equalTo(180));
  }

  @Test
  void adminNeedsTheKeyAndShowsPools() {
    admin().get("/admin/pools").then().statusCode(401);
    admin().auth().oauth2("wrong-key").get("/admin/pools").then().statusCode(403);
    admin()
        .auth()
        .oauth2(GatewayHarness.ADMIN_KEY)
        .get("/admin/pools")
        .then()
        .statusCode(200)
        .body("find { it.template == 'hello' }.max_total", equalTo(20))
        .body("find { it.template == 'hello' }.target", equalTo(0))
        .body("find { it.template == 'hello' }.hit_rate", notNullValue())
        .body("find { it.template == 'hello' }.arrival_rate", notNullValue())
        .body("find { it.template == 'hello' }.burst_rate", notNullValue())
        .body("find { it.template == 'hello' }.sizing_rate", notNullValue())
        .body("find { it.template == 'hello' }.model_target", notNullValue())
        .body("find { it.template == 'hello' }.hit_rate_total", notNullValue())
        .body("find { it.template == 'hello' }.slot_wait_seconds", notNullValue());
    admin()
        .auth()
        .oauth2(GatewayHarness.ADMIN_KEY)
        .get("/admin/instances?state=ready")
        .then()
        .statusCode(200);
    admin()
        .auth()
        .oauth2(GatewayHarness.ADMIN_KEY)
        .get("/admin/instances?state=bogus")
        .then()
        .statusCode(400);
    admin()
        .auth()
        .oauth2(GatewayHarness.ADMIN_KEY)
        .get("/admin/dead-letters")
        .then()
        .statusCode(200);
    admin()
        .auth()
        .oauth2(GatewayHarness.ADMIN_KEY)
        .get("/admin/dead-letters/99999")
        .then()
        .statusCode(404);

    String id = Pools.fill(store, "hello", 1).getFirst();
    admin()
        .auth()
        .oauth2(GatewayHarness.ADMIN_KEY)
        .post("/admin/instances/" + id + "/terminate")
        .then()
        .statusCode(202)
        .body("state", equalTo("terminating"));
    assertThat(store.instance(id).orElseThrow().state()).isEqualTo(InstanceState.TERMINATING);
  }

  @Test
  void deadLettersCanBeListedShownReplayedAndDeleted() throws Exception {
    // A malformed acquire request: pool-service gives up on it, so it lands in the DLQ.
    try (Connection c = Nats.connect(RealServersResource.servers().nats().url())) {
      io.nats.client.impl.Headers h = new io.nats.client.impl.Headers();
      h.put("Nats-Msg-Id", "junk-" + System.nanoTime());
      c.jetStream().publish(Subjects.acquire("hello"), h, "not json".getBytes());
    }
    String admin = GatewayHarness.ADMIN_KEY;
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .untilAsserted(() ->
            admin()
                .auth()
                .oauth2(admin)
                .get("/admin/dead-letters")
                .then()
                .statusCode(200)
                .body("items.size()", org.hamcrest.Matchers.greaterThanOrEqualTo(1)));
    Response list = admin().auth().oauth2(admin).get("/admin/dead-letters");
    long seq = ((Number) list.path("items[0].sequence")).longValue();
    admin()
        .auth()
        .oauth2(admin)
        .get("/admin/dead-letters/" + seq)
        .then()
        .statusCode(200)
        .body("original_subject", equalTo(Subjects.acquire("hello")))
        .body("payload", equalTo("not json"))
        .body("last_error", notNullValue());
    // Replay: published again (pool-service gives up again: a new dead letter), the old one gone.
    admin()
        .auth()
        .oauth2(admin)
        .post("/admin/dead-letters/" + seq + "/replay")
        .then()
        .statusCode(200)
        .body("replayed", equalTo(true));
    admin().auth().oauth2(admin).get("/admin/dead-letters/" + seq).then().statusCode(404);
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .untilAsserted(() ->
            admin()
                .auth()
                .oauth2(admin)
                .get("/admin/dead-letters?after=" + seq)
                .then()
                .statusCode(200)
                .body("items.size()", org.hamcrest.Matchers.greaterThanOrEqualTo(1)));
    long again =
        ((Number)
                admin()
                    .auth()
                    .oauth2(admin)
                    .get("/admin/dead-letters?after=" + seq)
                    .path("items[0].sequence"))
            .longValue();
    admin().auth().oauth2(admin).delete("/admin/dead-letters/" + again).then().statusCode(204);
    admin().auth().oauth2(admin).delete("/admin/dead-letters/" + again).then().statusCode(404);
    admin()
        .auth()
        .oauth2(admin)
        .contentType(ContentType.JSON)
        .body("{\"sequences\":[]}")
        .post("/admin/dead-letters/replay")
        .then()
        .statusCode(400);
  }

  /** The admin API is on the management interface. */
  private static io.restassured.specification.RequestSpecification admin() {
    return given().baseUri(io.trynow.testsupport.ManagementPort.base());
  }
}
