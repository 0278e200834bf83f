package io.trynow.pool.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.api.MessageInfo;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trynow.model.AcquireOutcome;
import io.trynow.model.AcquireReply;
import io.trynow.model.AcquireRequest;
import io.trynow.model.Ids;
import io.trynow.model.InstanceEvent;
import io.trynow.model.InstanceEventKind;
import io.trynow.model.InstanceState;
import io.trynow.model.Json;
import io.trynow.model.RequestEvent;
import io.trynow.model.RequestEventKind;
import io.trynow.model.Subjects;
import io.trynow.platform.messaging.DeadLetters;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.nats.NatsClient;
import io.trynow.platform.state.ConsistencyChecker;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.RateLimitResult;
import io.trynow.platform.state.RequestState;
import io.trynow.platform.state.Store;
import io.trynow.platform.testing.Pools;
import io.trynow.platform.warmup.WarmUp;
import io.trynow.platform.warmup.WarmUpConfig;
import io.trynow.pool.acquire.AcquireWarmUp;
import io.trynow.pool.config.PoolSettings;
import io.trynow.testsupport.RealServersResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * pool-service's acquire consumer against real NATS and Valkey, driven the way the gateway does.
 */
@QuarkusTest
@WithTestResource(RealServersResource.class)
class AcquireHandlerIT {

  static final String TOKEN_HASH = "a".repeat(64);
  static final Duration WAIT = Duration.ofSeconds(15);

  /** The per-IP cap the tests' messages carry (the gateway's setting travels in the message). */
  static final int MAX_LIVE_PER_IP = 2;

  @Inject Store store;
  @Inject Publisher publisher;
  @Inject NatsClient nats;
  @Inject DeadLetters deadLetters;
  @Inject AcquireWarmUp warmUp;
  @Inject PoolSettings settings;
  @Inject io.trynow.platform.messaging.Consumers consumers;
  @Inject io.micrometer.core.instrument.MeterRegistry meters;

  @BeforeAll
  static void ports() {
    try (Store s =
        Store.connect(RealServersResource.servers().valkey().url(), RealServersResource.prefix())) {
      s.capacity().initPorts(30000, 39999);
    }
  }

  AcquireReply ask(String rid, String template, String ip, long requestedAtMs, String msgId) {
    return ask(rid, template, ip, requestedAtMs, msgId, MAX_LIVE_PER_IP);
  }

  /** As the gateway sends it: the per-IP cap travels in the message. */
  AcquireReply ask(
      String rid, String template, String ip, long requestedAtMs, String msgId, int maxLivePerIp) {
    AcquireRequest req =
        new AcquireRequest(rid, template, ip, TOKEN_HASH, requestedAtMs, null, null, maxLivePerIp);
    io.nats.client.impl.Headers h = new io.nats.client.impl.Headers();
    h.put(io.trynow.model.Headers.REQUEST_ID, rid);
    // msgId: the request's own, or another one to get past dedup (a redelivery)
    Optional<Message> m =
        publisher.publishWithHeadersAndAwaitReply(
            req.subject(), msgId, h, Json.write(req), WAIT, at -> {});
    assertThat(m).as("reply to " + rid).isPresent();
    return Json.read(m.get().getData(), AcquireReply.class);
  }

  AcquireReply ask(String rid, String template, String ip) {
    return ask(rid, template, ip, System.currentTimeMillis(), rid);
  }

  InstanceEvent lastEvent(String subject) throws Exception {
    return lastEvent(subject, InstanceEvent.class);
  }

  RequestEvent lastRequestEvent(String subject) throws Exception {
    return lastEvent(subject, RequestEvent.class);
  }

  <T> T lastEvent(String subject, Class<T> type) throws Exception {
    Connection c = nats.connection(Duration.ofSeconds(5));
    MessageInfo mi;
    try {
      mi = c.jetStreamManagement().getLastMessage(Subjects.STREAM_EVENTS, subject);
    } catch (JetStreamApiException e) {
      // Events are published after the reply: "no message found" means "not yet" to the
      // Awaitility loops that call this, which retry on assertion errors only.
      throw new AssertionError("no event on " + subject + " yet: " + e.getMessage(), e);
    }
    return Json.read(mi.getData(), type);
  }

  @Test
  void warmAcquireRepliesAssignedAndPublishesTheEvents() throws Exception {
    Pools.fill(store, "hello", 1);
    String rid = Ids.newRequestId();
    AcquireReply r = ask(rid, "hello", "192.0.2.1");
    assertThat(r.outcome()).isEqualTo(AcquireOutcome.ASSIGNED);
    String ready = r.instanceId();
    assertThat(r.url()).isEqualTo(Pools.url(ready));
    assertThat(r.expiresAtMs()).isNotNull();
    Instance i = store.instance(ready).orElseThrow();
    assertThat(i.state()).isEqualTo(InstanceState.ASSIGNED);
    assertThat(i.requestId()).isEqualTo(rid);
    assertThat(i.ownerTokenHash()).isEqualTo(TOKEN_HASH);

    Awaitility.await()
        .atMost(WAIT)
        .untilAsserted(() -> {
          assertThat(
                  lastRequestEvent(Subjects.requestEvent(rid, RequestEventKind.ASSIGNED))
                      .instanceId())
              .isEqualTo(ready);
          assertThat(
                  lastEvent(Subjects.instanceEvent(ready, InstanceEventKind.ASSIGNED)).requestId())
              .isEqualTo(rid);
        });
  }

  @Test
  void aRedeliveredRequestGetsTheSameDemoNotASecondOne() {
    Pools.fill(store, "hello", 2);
    String rid = Ids.newRequestId();
    AcquireReply first = ask(rid, "hello", "192.0.2.2");
    // The same request again under another msg id: what a redelivery or a replay looks like.
    AcquireReply again = ask(rid, "hello", "192.0.2.2", System.currentTimeMillis(), rid + "-again");
    assertThat(again.outcome()).isEqualTo(AcquireOutcome.ASSIGNED);
    assertThat(again.instanceId()).isEqualTo(first.instanceId());
    long mine =
        store.instances(InstanceState.ASSIGNED).stream()
            .filter(i -> rid.equals(i.requestId()))
            .count();
    assertThat(mine).isEqualTo(1);
    assertThat(ConsistencyChecker.check(store)).isEmpty();
  }

  @Test
  void anEmptyPoolQueuesWithPositionAndEta() throws Exception {
    String rid = Ids.newRequestId();
    AcquireReply r = ask(rid, "tiny", "192.0.2.3");
    assertThat(r.outcome()).isEqualTo(AcquireOutcome.QUEUED);
    assertThat(r.position()).isEqualTo(1);
    assertThat(r.etaSeconds()).isPositive();
    Awaitility.await()
        .atMost(WAIT)
        .untilAsserted(() ->
            assertThat(
                    lastRequestEvent(Subjects.requestEvent(rid, RequestEventKind.QUEUED))
                        .position())
                .isEqualTo(1));

    // tiny has max-queue 1: the next visitor finds capacity and queue full, and is refunded.
    String ip = "192.0.2.4";
    String full = Ids.newRequestId();
    RateLimitResult counted = store.limits().rateLimit(ip, full, 10, 100);
    assertThat(((RateLimitResult.Allowed) counted).hourCount()).isEqualTo(1);
    AcquireReply f = ask(full, "tiny", ip);
    assertThat(f.outcome()).isEqualTo(AcquireOutcome.FULL);
    RateLimitResult after = store.limits().rateLimit(ip, Ids.newRequestId(), 10, 100);
    assertThat(((RateLimitResult.Allowed) after).hourCount())
        .as("the full request's slot was given back")
        .isEqualTo(1);

    // Queue timeout (4s in tests): the waiting request expires, is told, and is refunded.
    Awaitility.await()
        .atMost(WAIT)
        .untilAsserted(() ->
            assertThat(store.request(rid).orElseThrow().state()).isEqualTo(RequestState.EXPIRED));
    Awaitility.await()
        .atMost(WAIT)
        .untilAsserted(() ->
            assertThat(
                    lastRequestEvent(Subjects.requestEvent(rid, RequestEventKind.EXPIRED)).kind())
                .isEqualTo(RequestEventKind.EXPIRED));
  }

  @Test
  void visitorsQueuedByAnotherReplicaAreToldTheirNewPlaceWhenTheQueueMoves() throws Exception {
    // Queued through the store directly: what a replica that died right after queueing leaves.
    // Nothing in this replica's memory knows these requests.
    java.util.List<String> rids = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String rid = Ids.newRequestId();
      store
          .requests()
          .acquire(
              new io.trynow.platform.state.AcquireArgs(
                  rid,
                  "line",
                  TOKEN_HASH,
                  "192.0.2.5" + i,
                  Duration.ofMinutes(15),
                  Duration.ofHours(1),
                  100,
                  0));
      rids.add(rid);
    }
    // one instance becomes ready: the first visitor gets it, the other two move up
    String id = Pools.requested(store, "line", 1).getFirst();
    Instance s = Pools.started(store, id);
    assertThat(store.provisioning().markReady(s.id(), Pools.url(s.id())))
        .isInstanceOf(io.trynow.platform.state.ReadyResult.HandedOver.class);

    Awaitility.await()
        .atMost(WAIT)
        .untilAsserted(() -> {
          RequestEvent second =
              lastRequestEvent(Subjects.requestEvent(rids.get(1), RequestEventKind.POSITION));
          assertThat(second.position()).isEqualTo(1);
          assertThat(second.etaSeconds()).isPositive();
          RequestEvent third =
              lastRequestEvent(Subjects.requestEvent(rids.get(2), RequestEventKind.POSITION));
          assertThat(third.position()).isEqualTo(2);
          // one rate for the whole pass: the one behind never gets the shorter estimate
          assertThat(third.etaSeconds()).isGreaterThanOrEqualTo(second.etaSeconds());
        });
  }

  @Test
  void theLiveCapPerAddressRefusesAndRefunds() {
    Pools.fill(store, "hello", 3);
    String ip = "192.0.2.5";
    assertThat(ask(Ids.newRequestId(), "hello", ip).outcome()).isEqualTo(AcquireOutcome.ASSIGNED);
    assertThat(ask(Ids.newRequestId(), "hello", ip).outcome()).isEqualTo(AcquireOutcome.ASSIGNED);
    String third = Ids.newRequestId();
    store.limits().rateLimit(ip, third, 10, 100);
    AcquireReply r = ask(third, "hello", ip);
    assertThat(r.outcome()).isEqualTo(AcquireOutcome.LIMITED);
    assertThat(store.request(third)).isEmpty();
    assertThat(store.limits().rateLimitRefund(ip, third, java.time.Instant.now()))
        .as("already refunded by pool-service")
        .isFalse();
    // the cap is the message's, not a setting of pool-service's: one that carries 3 gets a demo
    String fourth = Ids.newRequestId();
    assertThat(ask(fourth, "hello", ip, System.currentTimeMillis(), fourth, 3).outcome())
        .isEqualTo(AcquireOutcome.ASSIGNED);
  }

  @Test
  void aRequestThatWaitedInTheStreamTooLongExpiresWithoutTakingADemo() {
    Pools.fill(store, "hello", 1);
    long ready = store.poolStats("hello").ready();
    String rid = Ids.newRequestId();
    AcquireReply r = ask(rid, "hello", "192.0.2.6", System.currentTimeMillis() - 60_000, rid);
    assertThat(r.outcome()).isEqualTo(AcquireOutcome.EXPIRED);
    assertThat(store.poolStats("hello").ready()).isEqualTo(ready);
  }

  @Test
  void aMalformedRequestIsDeadLettered() throws Exception {
    long before = deadLetters.count();
    publisher.publishWithHeaders(
        Subjects.acquire("hello"),
        "junk-" + System.nanoTime(),
        new io.nats.client.impl.Headers(),
        "not json".getBytes());
    Awaitility.await().atMost(WAIT).until(() -> deadLetters.count() > before);
  }

  @Test
  void theStartupWarmUpRanBeforeReadyAndChangesNothing() throws Exception {
    // the service's own warm-up ran at startup (the test profile's rounds) and readiness says so
    assertThat(warmUp.health().getStatus().name()).isEqualTo("UP");
    assertThat(warmUp.health().getData().orElseThrow().get("rounds")).isEqualTo(20L);

    // another one, watched: no request record, no address record, no message in a stream
    var valkey = RealServersResource.servers().valkey();
    java.util.function.Supplier<java.util.Set<Object>> keys =
        () -> {
          java.util.Set<Object> out = new java.util.HashSet<>();
          for (String k : new String[] {"r:*", "ip:*"}) {
            out.addAll((java.util.List<?>) valkey.call("KEYS", "{" + store.prefix() + "}:" + k));
          }
          return out;
        };
    var jsm = nats.awaitConnection().jetStreamManagement();
    long streamed = 0;
    for (String stream : jsm.getStreamNames()) {
      streamed += jsm.getStreamInfo(stream).getStreamState().getLastSequence();
    }
    java.util.Set<Object> before = keys.get();
    AcquireWarmUp another =
        new AcquireWarmUp(
            settings,
            store,
            nats,
            consumers,
            publisher,
            meters,
            new WarmUpConfig() {
              @Override
              public int rounds() {
                return 50;
              }

              @Override
              public Duration maxTime() {
                return Duration.ofMinutes(1);
              }
            });
    WarmUp.Result r = another.run();
    assertThat(r.failure()).isNull();
    assertThat(r.rounds()).isEqualTo(50);
    // every round was a JetStream publish delivered by a consumer to the warm-up's handler, on a
    // stream of its own that is gone afterwards, with its consumer's meters
    assertThat(another.consumed()).isEqualTo(50);
    assertThat(jsm.getStreamNames()).noneMatch(n -> n.startsWith("TRYNOW_WARM_UP_"));
    assertThat(meters.getMeters())
        .noneMatch(m -> String.valueOf(m.getId().getTag("consumer")).startsWith("warm-up-"))
        .noneMatch(m -> String.valueOf(m.getId().getTag("stream")).startsWith("TRYNOW_WARM_UP_"));
    assertThat(before).containsAll(keys.get());
    long streamedAfter = 0;
    for (String stream : jsm.getStreamNames()) {
      streamedAfter += jsm.getStreamInfo(stream).getStreamState().getLastSequence();
    }
    assertThat(streamedAfter).isEqualTo(streamed);
  }
}
