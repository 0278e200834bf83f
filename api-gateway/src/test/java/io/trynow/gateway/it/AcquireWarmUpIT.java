package io.trynow.gateway.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.trynow.gateway.rest.AcquireWarmUp;
import io.trynow.gateway.rest.WarmUpPass;
import io.trynow.gateway.view.Views;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.nats.NatsClient;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.Store;
import io.trynow.platform.template.TemplatesConfig;
import io.trynow.platform.testing.Pools;
import io.trynow.platform.warmup.WarmUp;
import io.trynow.testsupport.RealServersResource;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.Set;
import org.eclipse.microprofile.health.Readiness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's startup warm-up ({@link AcquireWarmUp}) ran through the real listener before the
 * gateway reported ready, and a warm-up changes nothing: no request, address or rate-limit record
 * in Valkey, no message in any stream, no acquire counted, no ready instance claimed, though each
 * round made the acquire's publish round trip, a POST through its route, its {@code acquire_ready}
 * call and a warm hit's rehearsal through the listener (201), which the warm-up's pass alone opens.
 */
@QuarkusTest
@WithTestResource(RealServersResource.class)
class AcquireWarmUpIT {

  @Inject @Readiness AcquireWarmUp warmUp;
  @Inject Store store;
  @Inject Views views;
  @Inject ObjectMapper mapper;
  @Inject TemplatesConfig templates;
  @Inject NatsClient nats;
  @Inject Publisher publisher;
  @Inject io.micrometer.core.instrument.MeterRegistry meters;
  @Inject io.vertx.core.Vertx vertx;
  @Inject WarmUpPass pass;

  @TestHTTPResource("/")
  URL root;

  @BeforeEach
  void ports() {
    store.capacity().initPorts(30000, 39999); // for the ready instances the tests put in the pool
  }

  @Test
  void theWarmUpRanThroughTheListenerAndChangesNothing() throws Exception {
    // off in the test profile (rounds=0): ready at once, and says so
    assertThat(warmUp.call().getStatus().name()).isEqualTo("UP");
    assertThat(warmUp.result().rounds()).isZero();

    var jsm = nats.awaitConnection().jetStreamManagement();
    long streamed = WarmUpTraces.streamed(jsm);
    Set<Object> before = WarmUpTraces.keys(store, "r:*", "ip:*", "rl:*");
    double acquires = WarmUpTraces.acquiresCounted(meters);
    long stages = stagesTimed();
    // a ready instance the rehearsed warm hits must leave alone
    String ready = Pools.fill(store, "hello", 1).getFirst();
    Instance readyBefore = store.instance(ready).orElseThrow();
    long readyCount = store.poolStats("hello").ready();
    AcquireWarmUp another =
        new AcquireWarmUp(
            WarmUpTraces.rounds(40),
            store,
            views,
            mapper,
            templates,
            publisher,
            nats,
            meters,
            vertx,
            pass);
    WarmUp.Result r = another.run(root.getPort());
    assertThat(r.failure()).isNull();
    assertThat(r.rounds()).isEqualTo(40);
    // every round went through the publisher's asynchronous round trip (PubAck and reply on the
    // shared inbox), answered by the warm-up's own responder: no stream holds a message of it
    assertThat(another.roundTrips()).isEqualTo(40);
    // and every round took a warm hit's path through the listener to its 201, with the instance
    // a stand-in: the ready one is untouched, no request or rate-limit record was written
    assertThat(another.rehearsals()).isEqualTo(40);
    assertThat(store.instance(ready)).contains(readyBefore);
    assertThat(store.poolStats("hello").ready()).isEqualTo(readyCount);
    assertThat(meters.getMeters())
        .noneMatch(m -> "trynow-warm-up".equals(m.getId().getTag("stream")));
    assertThat(before).containsAll(WarmUpTraces.keys(store, "r:*", "ip:*", "rl:*"));
    assertThat(WarmUpTraces.streamed(jsm)).isEqualTo(streamed);
    // its POSTs through the acquire's route and its acquire_ready calls (quota 0) counted nothing
    assertThat(WarmUpTraces.acquiresCounted(meters)).isEqualTo(acquires);
    assertThat(stagesTimed()).isEqualTo(stages);
  }

  @Test
  void afterTheWarmUpThePassHeaderGrantsNothing() {
    Pools.fill(store, "hello", 1);
    long readyCount = store.poolStats("hello").ready();
    // no warm-up runs: whatever the header says, this is a visitor's acquire and takes a demo
    String url =
        given()
            .contentType(ContentType.JSON)
            .header("X-Forwarded-For", "198.51.100.77")
            .header(WarmUpPass.HEADER, "00")
            .body("{\"template\":\"hello\"}")
            .when()
            .post("/v1/demos")
            .then()
            .statusCode(201)
            .extract()
            .path("url");
    assertThat(url).doesNotContain("warm-up.invalid");
    assertThat(store.poolStats("hello").ready()).isEqualTo(readyCount - 1);
  }

  /** Samples in the acquire's stage timers ({@code trynow.gateway.acquire.stage}). */
  private long stagesTimed() {
    return meters.find("trynow.gateway.acquire.stage").timers().stream()
        .mapToLong(io.micrometer.core.instrument.Timer::count)
        .sum();
  }
}
