package io.trynow.gateway.it;

import static io.restassured.RestAssured.given;
import static io.trynow.gateway.it.GatewayHarness.acquireMessages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.MessageInfo;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.trynow.model.InstanceEvent;
import io.trynow.model.InstanceEventKind;
import io.trynow.model.InstanceState;
import io.trynow.model.Json;
import io.trynow.model.RequestEvent;
import io.trynow.model.RequestEventKind;
import io.trynow.model.Subjects;
import io.trynow.platform.state.ConsistencyChecker;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.RequestRecord;
import io.trynow.platform.state.RequestState;
import io.trynow.platform.state.Store;
import io.trynow.platform.testing.Pools;
import io.trynow.testsupport.ManagementPort;
import io.trynow.testsupport.RealServersResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The warm-hit fast path ({@code acquire_ready}): with pool-service NOT running, a ready instance
 * is handed out by the gateway alone (201), its events go out as pool-service's would; everything
 * the fast path does not decide (no ready instance, a template that checks claims, an address at
 * its live cap) goes the queue path through JetStream, and a rate-limited call writes nothing.
 */
@QuarkusTest
@TestProfile(FastPathIT.NoPool.class)
@WithTestResource(RealServersResource.class)
class FastPathIT {

  /** A short reply wait (no pool-service answers), a live cap of 2, a template with a hook. */
  public static class NoPool implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "trynow.gateway.reply-wait", "1s",
          "trynow.gateway.max-live-per-ip", "2",
          "trynow.templates.hooked.image", "trynow/sample-hello:1",
          "trynow.templates.hooked.min-ready", "0",
          "trynow.templates.hooked.hook.type", "http",
          "trynow.templates.hooked.hook.secret", "hook-secret-0123456789");
    }
  }

  @Inject Store store;

  @BeforeEach
  void emptyKeyspace() {
    RealServersResource.servers().valkey().command("FLUSHALL");
    store.capacity().initPorts(30000, 39999);
  }

  static Response acquire(String template, String ip, String idempotencyKey) {
    var req =
        given()
            .contentType(ContentType.JSON)
            .header("X-Forwarded-For", ip)
            .body("{\"template\":\"" + template + "\"}");
    if (idempotencyKey != null) {
      req = req.header("Idempotency-Key", idempotencyKey);
    }
    return req.post("/v1/demos");
  }

  @Test
  void aReadyInstanceIsHandedOutWithoutPoolServiceAndItsEventsGoOut() throws Exception {
    String id = Pools.fill(store, "hello", 1).getFirst();
    long acquiresBefore = acquireMessages();

    Response r = acquire("hello", "198.51.100.201", null);

    r.then()
        .statusCode(201)
        .body("id", equalTo(id))
        .body("status", equalTo("assigned"))
        .body("url", equalTo(Pools.url(id)))
        .header(
            "RateLimit",
            org.hamcrest.Matchers.matchesPattern("\"hour\";r=9;t=\\d+, \"day\";r=999;t=\\d+"));
    String rid = r.path("request_id");
    Instance i = store.instance(id).orElseThrow();
    assertThat(i.state()).isEqualTo(InstanceState.ASSIGNED);
    assertThat(i.requestId()).isEqualTo(rid);
    RequestRecord req = store.request(rid).orElseThrow();
    assertThat(req.state()).isEqualTo(RequestState.ASSIGNED);
    assertThat(req.instanceId()).isEqualTo(id);
    assertThat(acquireMessages())
        .as("nothing published to TRYNOW_ACQUIRE")
        .isEqualTo(acquiresBefore);
    assertThat(ConsistencyChecker.check(store)).isEmpty();

    // the hand-over's events, as pool-service publishes them for a warm assign
    try (Connection nc = Nats.connect(RealServersResource.servers().nats().url())) {
      JetStreamManagement jsm = nc.jetStreamManagement();
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> {
            MessageInfo m =
                jsm.getLastMessage(
                    Subjects.STREAM_EVENTS, Subjects.instanceEvent(id, InstanceEventKind.ASSIGNED));
            InstanceEvent e = Json.read(m.getData(), InstanceEvent.class);
            assertThat(e.requestId()).isEqualTo(rid);
            assertThat(e.version()).isEqualTo(i.version());
            MessageInfo q =
                jsm.getLastMessage(
                    Subjects.STREAM_EVENTS, Subjects.requestEvent(rid, RequestEventKind.ASSIGNED));
            assertThat(Json.read(q.getData(), RequestEvent.class).instanceId()).isEqualTo(id);
          });
    }
    // the new stage is timed
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> {
          String page =
              given().baseUri(ManagementPort.base()).get("/q/metrics").then().extract().asString();
          assertThat(
                  VisitorFlowIT.count(
                      page, "trynow_gateway_acquire_stage_seconds", "acquire_ready"))
              .isGreaterThanOrEqualTo(1);
        });
  }

  @Test
  void theSameIdempotencyKeyLandsOnTheSameDemo() {
    Pools.fill(store, "hello", 2);
    Response first = acquire("hello", "198.51.100.202", "fast-path-key-0000000001");
    first.then().statusCode(201);
    Response again = acquire("hello", "198.51.100.202", "fast-path-key-0000000001");
    again.then().statusCode(201);
    assertThat((String) again.path("id")).isEqualTo(first.path("id"));
    assertThat((String) again.path("request_id")).isEqualTo(first.path("request_id"));
    assertThat(store.poolStats("hello").ready()).isEqualTo(1);
  }

  @Test
  void withNothingReadyTheAcquireGoesToPoolService() throws Exception {
    long before = acquireMessages();
    Response r = acquire("hello", "198.51.100.203", null);
    r.then().statusCode(202).body("status", equalTo("pending"));
    assertThat(acquireMessages()).isEqualTo(before + 1);
  }

  @Test
  void aTemplateWithAHookGoesToPoolServiceAndItsReadyInstanceStays() throws Exception {
    String id = Pools.fill(store, "hooked", 1).getFirst();
    long before = acquireMessages();
    acquire("hooked", "198.51.100.204", null)
        .then()
        .statusCode(202)
        .body("status", equalTo("pending"));
    assertThat(acquireMessages()).isEqualTo(before + 1);
    assertThat(store.instance(id).orElseThrow().state()).isEqualTo(InstanceState.READY);
  }

  @Test
  void anAddressAtItsLiveCapGoesToPoolService() throws Exception {
    Pools.fill(store, "hello", 3);
    acquire("hello", "198.51.100.205", null).then().statusCode(201);
    acquire("hello", "198.51.100.205", null).then().statusCode(201);
    long before = acquireMessages();
    acquire("hello", "198.51.100.205", null)
        .then()
        .statusCode(202)
        .body("status", equalTo("pending"));
    assertThat(acquireMessages()).isEqualTo(before + 1);
    assertThat(store.poolStats("hello").ready()).isEqualTo(1);
  }

  @Test
  void aRateLimitedCallIs429AndTakesNothing() {
    String id = Pools.fill(store, "hello", 1).getFirst();
    String ip = "198.51.100.206";
    for (int n = 0; n < 10; n++) {
      store.limits().rateLimit(ip, null, 10, 1000); // the test profile's hourly limit
    }
    acquire("hello", ip, null)
        .then()
        .statusCode(429)
        .header("Retry-After", org.hamcrest.Matchers.notNullValue());
    assertThat(store.instance(id).orElseThrow().state()).isEqualTo(InstanceState.READY);
    assertThat(store.poolStats("hello").assigned()).isZero();
  }

  /**
   * A plain JSON acquire is served by AcquireRoute (a plain Vert.x route); one with an Accept to
   * negotiate goes on to Quarkus REST (DemosResource.acquire). Both answer a warm hit and a refusal
   * alike: status, headers, body.
   */
  @Test
  void theRouteAndQuarkusRestAnswerAnAcquireAlike() {
    Pools.fill(store, "hello", 2);
    String negotiate = "application/json, text/plain;q=0.5";
    Response routed = post("198.51.100.91", "*/*", "{\"template\":\"hello\"}");
    Response rest = post("198.51.100.92", negotiate, "{\"template\":\"hello\"}");
    for (Response r : java.util.List.of(routed, rest)) {
      r.then()
          .statusCode(201)
          .header("Content-Type", "application/json;charset=UTF-8")
          .header("Cache-Control", "no-store")
          .header("Location", "/v1/demos/" + r.path("id"))
          .header("RateLimit-Policy", org.hamcrest.Matchers.startsWith("\"hour\";q="))
          .header("RateLimit", org.hamcrest.Matchers.startsWith("\"hour\";r="))
          .header("Trynow-Request-Id", equalTo(r.<String>path("request_id")));
    }
    assertThat(routed.jsonPath().getMap("$").keySet())
        .isEqualTo(rest.jsonPath().getMap("$").keySet());
    for (String accept : java.util.List.of("*/*", negotiate)) {
      Response p = post("198.51.100.93", accept, "{\"template\":\"nope\"}");
      p.then()
          .statusCode(400)
          .header("Content-Type", "application/problem+json")
          .body("type", equalTo("https://trynow.dev/problems/unknown-template"))
          .header("Trynow-Request-Id", equalTo(p.<String>path("request_id")));
      post("198.51.100.93", accept, "{\"template\":")
          .then()
          .statusCode(400)
          .header("Content-Type", "application/problem+json")
          .body("detail", equalTo("the body is not valid JSON"));
    }
  }

  private static Response post(String ip, String accept, String body) {
    return given()
        .contentType(ContentType.JSON)
        .accept(accept)
        .header("X-Forwarded-For", ip)
        .body(body)
        .post("/v1/demos");
  }
}
