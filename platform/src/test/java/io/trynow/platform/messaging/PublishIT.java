package io.trynow.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Message;
import io.nats.client.api.StreamInfo;
import io.trynow.model.AcquireRequest;
import io.trynow.model.Headers;
import io.trynow.model.InstanceEvent;
import io.trynow.model.InstanceEventKind;
import io.trynow.model.Json;
import io.trynow.model.RequestEvent;
import io.trynow.model.RequestEventKind;
import io.trynow.model.Subjects;
import io.trynow.platform.metrics.MetricNames;
import io.trynow.testsupport.NatsServer;
import io.trynow.testsupport.RealServers.Kind;
import io.trynow.testsupport.RealServersExtension.WithRealServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Publishing: de-duplication (a retry is a repeat, not a second message), events, request/reply,
 * stream declaration.
 */
@WithRealServers(Kind.NATS)
class PublishIT {

  private NatsServer nats;
  private Fixture f;

  @BeforeEach
  void setUp(NatsServer nats) throws Exception {
    this.nats = nats;
    f = new Fixture(nats);
  }

  @AfterEach
  void tearDown() throws Exception {
    f.close();
  }

  @Test
  void sameMsgIdPublishedTwiceIsHandledOnce() {
    String tpl = Fixture.unique("dup");
    String subject = Subjects.acquire(tpl);
    List<String> handled = consumeAcquires(tpl, d -> Outcome.done());
    String rid = "r" + "c".repeat(25);
    PublishResult first = f.publisher.publish(subject, rid, rid, new byte[] {1});
    PublishResult second = f.publisher.publish(subject, rid, rid, new byte[] {1});
    assertThat(first.duplicate()).isFalse();
    assertThat(second.duplicate()).isTrue();
    assertThat(second.sequence()).isEqualTo(first.sequence());
    await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 1);
    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(3)).until(() -> true);
    assertThat(handled).containsExactly(rid);
    assertThat(acquiresPublished("duplicate")).isEqualTo(1);
  }

  @Test
  void instanceEventsAreDeduplicatedPerIdVersionAndKind() throws Exception {
    String id = "i" + "d".repeat(19);
    InstanceEvent started = event(InstanceEventKind.STARTED, id, 3);
    PublishResult a = f.publisher.publish(started);
    PublishResult b = f.publisher.publish(started);
    PublishResult c = f.publisher.publish(event(InstanceEventKind.READY, id, 3));
    assertThat(a.stream()).isEqualTo(Subjects.STREAM_EVENTS);
    assertThat(b.duplicate()).isTrue();
    assertThat(c.duplicate()).isFalse();
    assertThat(stored(a).getHeaders().getFirst(Headers.NATS_MSG_ID)).isEqualTo(id + ":3:started");
    assertThat(stored(a).getSubject())
        .isEqualTo(Subjects.instanceEvent(id, InstanceEventKind.STARTED));
    assertThat(Json.read(stored(a).getData(), InstanceEvent.class)).isEqualTo(started);
  }

  @Test
  void aHandOverIsOneRequestEventWhoeverPublishesItAndAReassignmentIsAnother() throws Exception {
    String rid = "r" + "h".repeat(25);
    String first = "i" + "h".repeat(19);
    // pool-service (warm) and proxy-sync (queued visitor) publish the same logical event
    PublishResult pool = f.publisher.publish(RequestEvent.assigned(rid, "hello", first, "u", 9L));
    PublishResult proxy = f.publisher.publish(RequestEvent.assigned(rid, "hello", first, "u", 9L));
    PublishResult other =
        f.publisher.publish(RequestEvent.assigned(rid, "hello", "i" + "j".repeat(19), "v", 9L));
    assertThat(proxy.duplicate()).isTrue();
    assertThat(other.duplicate()).isFalse();
    assertThat(stored(pool).getSubject())
        .isEqualTo(Subjects.requestEvent(rid, RequestEventKind.ASSIGNED));
    assertThat(stored(pool).getHeaders().getFirst(Headers.REQUEST_ID)).isEqualTo(rid);
    // queue positions: one event per position, whichever replica notices the move
    assertThat(f.publisher.publish(RequestEvent.position(rid, "hello", 2, 5)).duplicate())
        .isFalse();
    assertThat(f.publisher.publish(RequestEvent.position(rid, "hello", 2, 4)).duplicate()).isTrue();
    assertThat(f.publisher.publish(RequestEvent.position(rid, "hello", 1, 2)).duplicate())
        .isFalse();
  }

  /**
   * Consumes {@code trynow.acquire.<tpl>}: each msg id noted (the list returned), then {@code
   * then}.
   */
  private List<String> consumeAcquires(String tpl, MessageHandler then) {
    List<String> handled = new CopyOnWriteArrayList<>();
    f.consumers.consume(
        ConsumerSpec.builder(Subjects.STREAM_ACQUIRE, tpl, Subjects.acquire(tpl)).build(),
        d -> {
          handled.add(d.msgId());
          return then.handle(d);
        });
    return handled;
  }

  /** The publish counter of the acquire stream for {@code result} (stored, duplicate). */
  private double acquiresPublished(String result) {
    return f.counter(
        MetricNames.PUBLISHED,
        MetricNames.TAG_STREAM,
        Subjects.STREAM_ACQUIRE,
        MetricNames.TAG_RESULT,
        result);
  }

  private io.nats.client.api.MessageInfo stored(PublishResult r) throws Exception {
    return f.connection.jetStreamManagement().getMessage(r.stream(), r.sequence());
  }

  private static InstanceEvent event(InstanceEventKind kind, String id, long version) {
    return new InstanceEvent(kind, id, "hello", "started", version, 1L, null, null, null, null);
  }

  @Test
  void publishAndAwaitReplyRoundTripThroughAStreamConsumer() {
    String tpl = Fixture.unique("rr");
    String subject = Subjects.acquire(tpl);
    f.consumers.consume(
        ConsumerSpec.builder(Subjects.STREAM_ACQUIRE, tpl, subject).build(),
        d -> {
          String ip = d.json(AcquireRequest.class).clientIp();
          f.publisher.reply(d, ("hi " + ip).getBytes(StandardCharsets.UTF_8));
          return Outcome.done();
        });
    String rid = "r" + "e".repeat(25);
    Optional<Message> reply =
        f.publisher.publishAndAwaitReply(
            new AcquireRequest(rid, tpl, "bob", "h", 1L, null), Duration.ofSeconds(10));
    assertThat(reply).isPresent();
    assertThat(new String(reply.get().getData(), StandardCharsets.UTF_8)).isEqualTo("hi bob");
    assertThat(reply.get().getHeaders().getFirst(Headers.REQUEST_ID)).isEqualTo(rid);

    // Nobody consumes this subject: no reply within the wait, and the message stays queued.
    AcquireRequest other =
        new AcquireRequest("r" + "q".repeat(25), Fixture.unique("rrq"), "x", "h", 1L, null);
    assertThat(f.publisher.publishAndAwaitReply(other, Duration.ofMillis(300))).isEmpty();
  }

  @Test
  void theAsyncRoundTripAnswersAsTheBlockingOneAndARepeatIsADuplicate() throws Exception {
    String tpl = Fixture.unique("ra");
    List<String> handled =
        consumeAcquires(
            tpl,
            d -> {
              String ip = d.json(AcquireRequest.class).clientIp();
              f.publisher.reply(d, ("hi " + ip).getBytes(StandardCharsets.UTF_8));
              return Outcome.done();
            });
    f.publisher.openReplyInbox();
    AcquireRequest req = new AcquireRequest("r" + "a".repeat(25), tpl, "eve", "h", 1L, null);
    java.util.concurrent.atomic.AtomicLong stored = new java.util.concurrent.atomic.AtomicLong();
    List<Runnable> blocked = new CopyOnWriteArrayList<>();
    Optional<Message> reply =
        f.publisher
            .publishAndAwaitReplyAsync(req, Duration.ofSeconds(10), stored::set, blocked::add)
            .get(15, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(reply).isPresent();
    assertThat(new String(reply.get().getData(), StandardCharsets.UTF_8)).isEqualTo("hi eve");
    assertThat(reply.get().getHeaders().getFirst(Headers.REQUEST_ID)).isEqualTo(req.requestId());
    // the PubAck is counted when it comes (maybe after the reply); nothing needed another thread
    await().atMost(Duration.ofSeconds(5)).until(() -> stored.get() > 0);
    assertThat(blocked).isEmpty();
    assertThat(acquiresPublished("stored")).isGreaterThanOrEqualTo(1);

    // The same message again (same msg id): stored once, handled once, so no reply this time.
    Optional<Message> again =
        f.publisher
            .publishAndAwaitReplyAsync(req, Duration.ofMillis(500), at -> {}, blocked::add)
            .get(15, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(again).isEmpty();
    assertThat(acquiresPublished("duplicate")).isEqualTo(1);
    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(3)).until(() -> true);
    assertThat(handled).containsExactly(req.requestId());
  }

  @Test
  void coreRequestReply() throws Exception {
    var d = f.connection.createDispatcher(m -> f.connection.publish(m.getReplyTo(), m.getData()));
    d.subscribe("test.echo");
    f.connection.flush(Duration.ofSeconds(2));
    Message m = f.publisher.request("test.echo", null, new byte[] {7}, Duration.ofSeconds(5));
    assertThat(m.getData()).containsExactly(7);
  }

  @Test
  void manyReplicasDeclaringStreamsAtOnceAllSucceed() throws Exception {
    List<Fixture> replicas = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        replicas.add(new Fixture(nats));
      }
      CountDownLatch go = new CountDownLatch(1);
      List<Throwable> errors = new CopyOnWriteArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (Fixture r : replicas) {
        Streams s =
            new Streams(
                r.connection,
                new Streams.Options(
                    Duration.ofMinutes(3),
                    Duration.ofHours(24),
                    Duration.ofDays(14),
                    1,
                    io.nats.client.api.StorageType.File));
        threads.add(
            Thread.ofVirtual()
                .start(() -> {
                  try {
                    go.await();
                    s.declareAll();
                  } catch (Throwable t) {
                    errors.add(t);
                  }
                }));
      }
      go.countDown();
      for (Thread t : threads) {
        t.join(Duration.ofSeconds(20));
      }
      assertThat(errors).isEmpty();
      StreamInfo info = f.connection.jetStreamManagement().getStreamInfo(Subjects.STREAM_DLQ);
      assertThat(info.getConfiguration().getDuplicateWindow()).isEqualTo(Duration.ofMinutes(3));
      assertThat(info.getConfiguration().getMaxAge()).isEqualTo(Duration.ofDays(14));
    } finally {
      for (Fixture r : replicas) {
        r.close();
      }
      f.streams.declareAll(); // back to the defaults for the other tests
    }
  }
}
