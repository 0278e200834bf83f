package io.trynow.gateway.it;

import static io.restassured.RestAssured.given;
import static io.trynow.gateway.it.GatewayHarness.acquire;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.impl.Headers;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.trynow.model.InstanceEventKind;
import io.trynow.model.Json;
import io.trynow.model.Subjects;
import io.trynow.model.WireMessage;
import io.trynow.platform.messaging.InstanceEvents;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.ReadyResult;
import io.trynow.platform.state.Store;
import io.trynow.platform.testing.Pools;
import io.trynow.testsupport.RealServersResource;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SSE through the real gateway and pool-service: positions fall, the demo arrives, Last-Event-ID
 * resumes without a gap, streams end at their maximum duration and are capped per client IP. The
 * test plays provisioner and proxy-sync (store calls and the events they publish).
 */
@QuarkusTest
@WithTestResource(RealServersResource.class)
class EventsIT {

  static PoolProcess pool;
  static Connection nats;
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration WAIT = Duration.ofSeconds(20);

  @Inject Store store;

  @TestHTTPResource("/")
  URL base;

  @BeforeAll
  static void start() throws Exception {
    Store s =
        Store.connect(RealServersResource.servers().valkey().url(), RealServersResource.prefix());
    try (s) {
      pool = GatewayHarness.startPool(s, Map.of("trynow.pool.position-interval", "500ms"));
    }
    nats = Nats.connect(RealServersResource.servers().nats().url());
  }

  @AfterAll
  static void stop() throws Exception {
    if (nats != null) {
      nats.close();
    }
    if (pool != null) {
      pool.close();
    }
  }

  String url(String pathAndQuery) {
    return base.toString().replaceAll("/$", "") + pathAndQuery;
  }

  /**
   * What provisioner and proxy-sync do for one new instance: the oldest waiting request gets it.
   */
  Instance provideOne(String template) throws Exception {
    String id = Pools.requested(store, template, 1).getFirst();
    Pools.started(store, id);
    ReadyResult r = store.provisioning().markReady(id, Pools.url(id));
    assertThat(r).isInstanceOf(ReadyResult.HandedOver.class);
    ReadyResult.HandedOver h = (ReadyResult.HandedOver) r;
    Instance i = h.instance();
    // what proxy-sync publishes when it hands an instance to a waiting visitor
    publish(InstanceEvents.of(InstanceEventKind.ASSIGNED, i, null));
    publish(InstanceEvents.assigned(h.requestId(), i));
    return i;
  }

  /** Publishes as the services do: the message's subject and msg id (no platform Publisher). */
  static void publish(WireMessage m) throws Exception {
    Headers h = new Headers();
    h.put("Nats-Msg-Id", m.msgId());
    nats.jetStream().publish(m.subject(), h, Json.write(m));
  }

  /** Stream sequences of every event of a request, read straight from TRYNOW_EVENTS. */
  static List<Long> streamSequences(String filter) throws Exception {
    return new ArrayList<>(streamEvents(filter).keySet());
  }

  /**
   * Every event of a request straight from TRYNOW_EVENTS, in order: stream sequence to kind (the
   * subject's last token).
   */
  static Map<Long, String> streamEvents(String filter) throws Exception {
    Map<Long, String> out = new java.util.LinkedHashMap<>();
    JetStreamSubscription sub =
        nats.jetStream()
            .subscribe(
                filter,
                PushSubscribeOptions.builder().stream(Subjects.STREAM_EVENTS)
                    .ordered(true)
                    .configuration(
                        ConsumerConfiguration.builder().deliverPolicy(DeliverPolicy.All).build())
                    .build());
    Message m;
    while ((m = sub.nextMessage(Duration.ofMillis(500))) != null) {
      String subject = m.getSubject();
      out.put(m.metaData().streamSequence(), subject.substring(subject.lastIndexOf('.') + 1));
    }
    sub.unsubscribe();
    return out;
  }

  /**
   * The ids a stream told are the request's events in order, once each, but for positions that a
   * newer event overtook within {@code sse-position-interval} (EventStreams paces positions): only
   * a position may be missing, and the last event is told.
   */
  static void assertToldAllButOvertakenPositions(List<String> told, Map<Long, String> all) {
    int i = 0;
    for (Map.Entry<Long, String> e : all.entrySet()) {
      if (i < told.size() && told.get(i).equals(String.valueOf(e.getKey()))) {
        i++;
      } else {
        assertThat(e.getValue())
            .as("event %s not told (told %s of %s)", e, told, all)
            .isEqualTo("position");
      }
    }
    assertThat(i).as("told %s: %s in order, once each", told, all).isEqualTo(told.size());
    assertThat(told).as("the last event is told").isNotEmpty();
    assertThat(told.getLast()).isEqualTo(String.valueOf(List.copyOf(all.keySet()).getLast()));
  }

  static JsonNode data(SseClient.Event e) throws Exception {
    return JSON.readTree(e.data());
  }

  @Test
  void aQueuedVisitorSeesItsPositionFallThenItsDemo() throws Exception {
    Response first = acquire("hello", "198.51.100.21");
    Response second = acquire("hello", "198.51.100.22");
    Response third = acquire("hello", "198.51.100.23");
    third.then().statusCode(202);
    assertThat((Integer) third.path("position")).isEqualTo(3);
    String rid = third.path("request_id");

    try (SseClient sse = SseClient.open(url(third.path("events_url")), Map.of())) {
      assertThat(sse.status()).isEqualTo(200);
      SseClient.Event queued = sse.until("queued", WAIT).getLast();
      assertThat(data(queued).get("position").asInt()).isEqualTo(3);
      assertThat(queued.id()).matches("\\d+");

      provideOne("hello");
      SseClient.Event p2 = sse.until("position", WAIT).getLast();
      assertThat(data(p2).get("position").asInt()).isEqualTo(2);
      assertThat(data(p2).get("eta_seconds").asLong()).isPositive();

      provideOne("hello");
      SseClient.Event p1 = sse.until("position", WAIT).getLast();
      assertThat(data(p1).get("position").asInt()).isEqualTo(1);

      Instance mine = provideOne("hello");
      SseClient.Event assigned = sse.until("assigned", WAIT).getLast();
      assertThat(data(assigned).get("instance_id").asText()).isEqualTo(mine.id());
      assertThat(data(assigned).get("url").asText()).isEqualTo(Pools.url(mine.id()));
      assertThat(data(assigned).get("request_id").asText()).isEqualTo(rid);

      // The same stream follows the demo: a release by the owner shows up as terminating.
      given()
          .auth()
          .oauth2((String) third.path("access_token"))
          .delete("/v1/demos/" + mine.id())
          .then()
          .statusCode(202);
      SseClient.Event terminating = sse.until("terminating", WAIT).getLast();
      assertThat(data(terminating).get("instance_id").asText()).isEqualTo(mine.id());
    }
    assertThat((String) first.path("request_id")).isNotEqualTo(second.path("request_id"));
  }

  @Test
  void reconnectWithLastEventIdMissesNothing() throws Exception {
    // Two visitors ahead in the "brief" queue, ours third.
    acquire("brief", "198.51.100.31").then().statusCode(202);
    acquire("brief", "198.51.100.32").then().statusCode(202);
    Response mine = acquire("brief", "198.51.100.33");
    mine.then().statusCode(202);
    String rid = mine.path("request_id");
    String events = url(mine.path("events_url"));

    String lastId;
    try (SseClient sse = SseClient.open(events, Map.of())) {
      lastId = sse.until("queued", WAIT).getLast().id();
    }
    // While disconnected the queue moves twice and ours is served.
    provideOne("brief");
    provideOne("brief");
    Instance demo = provideOne("brief");

    List<String> resumed = new ArrayList<>();
    try (SseClient sse = SseClient.open(events, Map.of("Last-Event-ID", lastId))) {
      for (SseClient.Event e : sse.until("assigned", WAIT)) {
        if (e.id() != null) {
          resumed.add(e.id());
        }
      }
    }
    Map<Long, String> after = new java.util.LinkedHashMap<>();
    streamEvents("trynow.events.request." + rid + ".*")
        .forEach((seq, kind) -> {
          if (seq > Long.parseLong(lastId)) {
            after.put(seq, kind);
          }
        });
    // every event after Last-Event-ID, in order, once (but positions overtaken in the replay)
    assertToldAllButOvertakenPositions(resumed, after);
    assertThat(after).isNotEmpty();

    // Resuming from the assigned event itself continues with the demo's events only.
    String assignedId = resumed.getLast();
    try (SseClient sse = SseClient.open(events, Map.of("Last-Event-ID", assignedId))) {
      // brief: ttl 1m, warning 59s before expiry → the expiring warning comes at once.
      SseClient.Event warning = sse.until("expiring", WAIT).getLast();
      assertThat(data(warning).get("instance_id").asText()).isEqualTo(demo.id());
      assertThat(warning.id()).isNull();
    }
  }

  /**
   * In a flash crowd the demo is often handed over before the visitor's stream opens: the stream
   * (authorised with the request record the endpoint read, not a second read) replays the request's
   * events from its first and then follows the demo.
   */
  @Test
  void aStreamOpenedAfterTheHandOverReplaysTheRequestThenFollowsTheDemo() throws Exception {
    Response mine = acquire("brief", "198.51.100.41");
    mine.then().statusCode(202);
    String rid = mine.path("request_id");
    Instance demo;
    do {
      demo = provideOne("brief"); // visitors of other tests may wait ahead
    } while (!rid.equals(demo.requestId()));

    List<String> ids = new ArrayList<>();
    try (SseClient sse = SseClient.open(url(mine.path("events_url")), Map.of())) {
      List<SseClient.Event> upToAssigned = sse.until("assigned", WAIT);
      upToAssigned.forEach(e -> ids.add(e.id()));
      assertThat(data(upToAssigned.getLast()).get("instance_id").asText()).isEqualTo(demo.id());
      // brief: ttl 1m, warning 59s before expiry → the demo's expiring warning comes at once.
      SseClient.Event warning = sse.until("expiring", WAIT).getLast();
      assertThat(data(warning).get("instance_id").asText()).isEqualTo(demo.id());
    }
    // the request's events from its first, in order, once (but positions overtaken in the replay)
    assertToldAllButOvertakenPositions(ids, streamEvents("trynow.events.request." + rid + ".*"));
    assertThat(ids.getFirst())
        .isEqualTo(
            String.valueOf(streamSequences("trynow.events.request." + rid + ".*").getFirst()));
  }

  /**
   * The widget closes its stream on {@code assigned}: the gateway does not start following that
   * demo (before: a store read and an ordered JetStream consumer on the demo's events per queued
   * visitor, living until the next heartbeat found the connection closed).
   */
  @Test
  void aVisitorWhoLeavesOnAssignedCostsNoFeedOfTheDemo() throws Exception {
    Response mine = acquire("brief", "198.51.100.51");
    mine.then().statusCode(202);
    String rid = mine.path("request_id");
    Instance demo;
    io.nats.client.JetStreamManagement jsm = nats.jetStreamManagement();
    try (SseClient sse = SseClient.open(url(mine.path("events_url")), Map.of())) {
      sse.until("queued", WAIT);
      // the consumers' filters are readable: the request's own feed shows while its stream is open
      assertThat(filters(jsm)).contains(Subjects.requestEvents(rid));
      do {
        demo = provideOne("brief"); // visitors of other tests may wait ahead
      } while (!rid.equals(demo.requestId()));
      assertThat(data(sse.until("assigned", WAIT).getLast()).get("instance_id").asText())
          .isEqualTo(demo.id());
    }
    String filter = Subjects.instanceEvents(demo.id());
    // past EventStreams' 2 s wait after `assigned` (FOLLOW_AFTER_ASSIGNED), when a visitor still
    // connected gets the demo's feed: a stream that followed regardless would show here
    long end = System.nanoTime() + Duration.ofMillis(3500).toNanos();
    while (System.nanoTime() < end) {
      assertThat(filters(jsm)).as("consumers on the demo's events").doesNotContain(filter);
      Thread.sleep(50);
    }
  }

  /** The filter subject of every consumer of TRYNOW_EVENTS now. */
  static List<String> filters(io.nats.client.JetStreamManagement jsm) throws Exception {
    return jsm.getConsumers(Subjects.STREAM_EVENTS).stream()
        .map(c -> c.getConsumerConfiguration().getFilterSubject())
        .toList();
  }

  /**
   * In a flash crowd every hand-over moves every visitor behind it: a stream tells the newest
   * position at most once per {@code sse-position-interval} (1 s by default), and not the ones a
   * newer position replaced meanwhile.
   */
  @Test
  void positionsComingFasterThanTheIntervalAreToldOnceTheNewest() throws Exception {
    Response mine = acquire("brief", "198.51.100.61");
    mine.then().statusCode(202);
    String rid = mine.path("request_id");
    try (SseClient sse = SseClient.open(url(mine.path("events_url")), Map.of())) {
      sse.until("queued", WAIT);
      long published = System.nanoTime();
      // what pool-service's position passes publish when the queue moves three times at once
      for (long p : new long[] {9, 8, 7}) {
        publish(io.trynow.model.RequestEvent.position(rid, "brief", p, 30));
      }
      List<SseClient.Event> told = sse.until("position", WAIT);
      double waitedMs = (System.nanoTime() - published) / 1e6;
      assertThat(told.stream().filter(e -> e.name().equals("position")).toList())
          .as("one position: the newest")
          .singleElement()
          .satisfies(e -> assertThat(data(e).get("position").asInt()).isEqualTo(7));
      // the queued event was told just before: the position waits for the interval (1 s)
      assertThat(waitedMs).isGreaterThan(500);
    } finally {
      given()
          .auth()
          .oauth2((String) mine.path("access_token"))
          .delete("/v1/requests/" + rid)
          .then()
          .statusCode(org.hamcrest.Matchers.lessThan(300));
    }
  }

  @Test
  void aStreamEndsAtItsMaximumDuration() throws Exception {
    Pools.fill(store, "hello", 1);
    Response r = acquire("hello", "198.51.100.41");
    r.then().statusCode(201);
    long start = System.nanoTime();
    try (SseClient sse = SseClient.open(url(r.path("events_url")), Map.of())) {
      assertThat(sse.status()).isEqualTo(200);
      assertThat(sse.until("state", WAIT).getLast().data()).contains("assigned");
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(sse::ended);
      double seconds = (sse.endedAtNanos() - start) / 1e9;
      // trynow.gateway.sse-max-duration=8s in the test profile
      assertThat(seconds).isBetween(7.5, 20.0);
    }
  }

  @Test
  void streamsAreCappedPerClientAddress() throws Exception {
    Pools.fill(store, "hello", 1);
    Response r = acquire("hello", "198.51.100.51");
    r.then().statusCode(201);
    String events = url(r.path("events_url"));
    Map<String, String> from = Map.of("X-Forwarded-For", "198.51.100.52");
    List<SseClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        SseClient c = SseClient.open(events, from);
        assertThat(c.status()).isEqualTo(200);
        open.add(c);
      }
      try (SseClient fourth = SseClient.open(events, from)) {
        assertThat(fourth.status()).isEqualTo(429);
        assertThat(fourth.errorBody()).contains("https://trynow.dev/problems/too-many-streams");
      }
      try (SseClient elsewhere =
          SseClient.open(events, Map.of("X-Forwarded-For", "198.51.100.53"))) {
        assertThat(elsewhere.status()).isEqualTo(200);
      }
    } finally {
      open.forEach(SseClient::close);
    }
    // Slots come back when streams close.
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(() -> {
          try (SseClient again = SseClient.open(events, from)) {
            assertThat(again.status()).isEqualTo(200);
          }
        });
  }

  @Test
  void eventsNeedATokenOrTicket() throws Exception {
    Pools.fill(store, "hello", 1);
    Response r = acquire("hello", "198.51.100.61");
    String id = r.path("id");
    try (SseClient none = SseClient.open(url("/v1/demos/" + id + "/events"), Map.of())) {
      assertThat(none.status()).isEqualTo(401);
    }
    try (SseClient bearer =
        SseClient.open(
            url("/v1/demos/" + id + "/events"),
            Map.of("Authorization", "Bearer " + r.path("access_token")))) {
      assertThat(bearer.status()).isEqualTo(200);
    }
    try (SseClient bad =
        SseClient.open(url("/v1/demos/" + id + "/events"), Map.of("Last-Event-ID", "x; drop"))) {
      assertThat(bad.status()).isEqualTo(400);
    }
  }
}
