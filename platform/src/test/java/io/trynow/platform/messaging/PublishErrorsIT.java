package io.trynow.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.trynow.model.AcquireRequest;
import io.trynow.model.CleanupRequest;
import io.trynow.model.Subjects;
import io.trynow.platform.metrics.MetricNames;
import io.trynow.testsupport.NatsServer;
import io.trynow.testsupport.RealServers.Kind;
import io.trynow.testsupport.RealServersExtension.WithRealServers;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every way a publish or a request can fail, produced on a real nats-server and classified from the
 * answer's type and status code ({@link PubAckReply}), never from an exception's text.
 */
@WithRealServers(Kind.NATS)
class PublishErrorsIT {

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
  void aFullStreamIsRejectedWithItsJetStreamErrorCode() throws Exception {
    String stream = Fixture.unique("FULL");
    String subject = stream.toLowerCase() + ".x";
    f.connection
        .jetStreamManagement()
        .addStream(
            StreamConfiguration.builder()
                .name(stream)
                .subjects(subject)
                .maxMessages(1)
                .discardPolicy(DiscardPolicy.New)
                .storageType(StorageType.Memory)
                .build());
    f.publisher.publish(subject, "one", null, new byte[] {1});
    assertThatThrownBy(() -> f.publisher.publish(subject, "two", null, new byte[] {2}))
        .isInstanceOfSatisfying(
            MessagingException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(MessagingException.Kind.REJECTED);
              assertThat(e.getCause())
                  .isInstanceOfSatisfying(
                      JetStreamApiException.class,
                      api -> assertThat(api.getApiErrorCode()).isEqualTo(10077));
            });
    assertThat(f.counter(MetricNames.PUBLISH_FAILURES, MetricNames.TAG_REASON, "rejected"))
        .isEqualTo(1);
  }

  @Test
  void noStreamForTheSubjectIsRejectedAsNotStoredAfterDeclaringTheStreams() {
    assertThatThrownBy(() -> f.publisher.publish("nostream.here", "x", null, new byte[0]))
        .isInstanceOfSatisfying(
            MessagingException.class,
            e -> assertThat(e.kind()).isEqualTo(MessagingException.Kind.REJECTED));
    assertThat(f.counter(MetricNames.PUBLISH_FAILURES, MetricNames.TAG_REASON, "no_stream"))
        .isEqualTo(1);
  }

  @Test
  void aVanishedStreamIsDeclaredAgainAndTheMessageStored() throws Exception {
    f.connection.jetStreamManagement().deleteStream(Subjects.STREAM_CLEANUP);
    CleanupRequest req = new CleanupRequest("i" + "v".repeat(19), "released", null);
    PublishResult r = f.publisher.publish(req);
    assertThat(r.stream()).isEqualTo(Subjects.STREAM_CLEANUP);
    assertThat(r.duplicate()).isFalse();
  }

  @Test
  void aListenerThatNeverAcknowledgesIsAnUnknownOutcomeAfterTheRetries() throws Exception {
    String subject = Fixture.unique("silent") + ".x";
    f.connection.createDispatcher(m -> {}).subscribe(subject);
    f.connection.flush(Duration.ofSeconds(2));
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Publisher quick =
        new Publisher(() -> f.connection, new Publisher.Options(Duration.ofMillis(300), 3), meters);
    assertThatThrownBy(() -> quick.publish(subject, "same-id", null, new byte[] {1}))
        .isInstanceOfSatisfying(
            MessagingException.class,
            e -> assertThat(e.kind()).isEqualTo(MessagingException.Kind.UNKNOWN_OUTCOME));
    assertThat(meters.counter(MetricNames.PUBLISH_RETRIES).count()).isEqualTo(2);
  }

  @Test
  void coreRequestsTellNoRespondersFromATimeout() throws Exception {
    String silent = Fixture.unique("mute");
    f.connection.createDispatcher(m -> {}).subscribe(silent);
    f.connection.flush(Duration.ofSeconds(2));
    assertThatThrownBy(
            () -> f.publisher.request(Fixture.unique("nobody"), null, new byte[0], SECONDS_5))
        .isInstanceOfSatisfying(
            MessagingException.class,
            e -> assertThat(e.kind()).isEqualTo(MessagingException.Kind.NO_RESPONDERS));
    assertThatThrownBy(() -> f.publisher.request(silent, null, new byte[0], Duration.ofMillis(300)))
        .isInstanceOfSatisfying(
            MessagingException.class,
            e -> assertThat(e.kind()).isEqualTo(MessagingException.Kind.TIMEOUT));
  }

  @Test
  void aClosedConnectionIsUnavailableAndNothingIsSent() throws Exception {
    Connection c = Nats.connect(nats.url());
    Publisher p = new Publisher(() -> c, Publisher.Options.defaults(), new SimpleMeterRegistry());
    c.close();
    assertThatThrownBy(() -> p.publish(new CleanupRequest("i" + "u".repeat(19), "forced", null)))
        .isInstanceOfSatisfying(
            MessagingException.class,
            e -> assertThat(e.kind()).isEqualTo(MessagingException.Kind.UNAVAILABLE));
  }

  @Test
  void anAsyncPublishThatFindsNoStreamDeclaresThemOnABlockingThreadAndIsStored() throws Exception {
    f.publisher.openReplyInbox();
    f.connection.jetStreamManagement().deleteStream(Subjects.STREAM_ACQUIRE);
    String tpl = Fixture.unique("vanished");
    AcquireRequest req = new AcquireRequest("r" + "w".repeat(25), tpl, "ip", "h", 1L, null);
    java.util.concurrent.atomic.AtomicInteger blocked =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicLong stored = new java.util.concurrent.atomic.AtomicLong();
    var reply =
        f.publisher
            .publishAndAwaitReplyAsync(req, Duration.ofMillis(300), stored::set, counting(blocked))
            .get(30, TimeUnit.SECONDS);
    // nobody consumes it: no reply, but stored (the PubAck came) after the streams were declared
    assertThat(reply).isEmpty();
    assertThat(stored.get()).isPositive();
    assertThat(blocked.get()).isEqualTo(1);
    var info = f.connection.jetStreamManagement().getStreamInfo(Subjects.STREAM_ACQUIRE);
    assertThat(info.getStreamState().getMsgCount()).isEqualTo(1);
  }

  @Test
  void anAsyncPublishNeverAcknowledgedIsAnUnknownOutcomeAfterTheSameRetries() throws Exception {
    f.connection.jetStreamManagement().deleteStream(Subjects.STREAM_ACQUIRE);
    String tpl = Fixture.unique("mute");
    String subject = Subjects.acquire(tpl);
    java.util.List<io.nats.client.Message> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
    f.connection.createDispatcher(sent::add).subscribe(subject);
    f.connection.flush(Duration.ofSeconds(2));
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Publisher quick =
        new Publisher(() -> f.connection, new Publisher.Options(Duration.ofMillis(300), 3), meters);
    quick.openReplyInbox();
    AcquireRequest req = new AcquireRequest("r" + "m".repeat(25), tpl, "ip", "h", 1L, null);
    var failed =
        quick
            .publishAndAwaitReplyAsync(
                req, Duration.ofSeconds(5), at -> {}, r -> Thread.ofVirtual().start(r))
            .handle((r, e) -> e)
            .get(30, TimeUnit.SECONDS);
    assertThat(failed)
        .isInstanceOfSatisfying(
            MessagingException.class,
            e -> assertThat(e.kind()).isEqualTo(MessagingException.Kind.UNKNOWN_OUTCOME));
    assertThat(meters.counter(MetricNames.PUBLISH_RETRIES).count()).isEqualTo(2);
    // three sends, one msg id: a server that stored one of them keeps one message
    assertThat(sent).hasSize(3);
    assertThat(sent)
        .allSatisfy(m ->
            assertThat(m.getHeaders().getFirst(io.trynow.model.Headers.NATS_MSG_ID))
                .isEqualTo(req.msgId()));
    f.streams.declareAll();
  }

  @Test
  void anAsyncPublishOnAClosedConnectionIsUnavailable() throws Exception {
    Connection c = Nats.connect(nats.url());
    Publisher p = new Publisher(() -> c, Publisher.Options.defaults(), new SimpleMeterRegistry());
    p.openReplyInbox();
    c.close();
    AcquireRequest req = new AcquireRequest("r" + "k".repeat(25), "hello", "ip", "h", 1L, null);
    assertFailsWith(
        p.publishAndAwaitReplyAsync(
            req, Duration.ofSeconds(1), at -> {}, r -> Thread.ofVirtual().start(r)),
        MessagingException.Kind.UNAVAILABLE);
  }

  private static final Duration SECONDS_5 = Duration.ofSeconds(5);

  @Test
  void aFireAndForgetPublishIsStoredWithoutABlockingThreadAndARepeatIsADuplicate()
      throws Exception {
    f.publisher.openReplyInbox();
    AcquireRequest req =
        new AcquireRequest("r" + "f".repeat(25), Fixture.unique("ff"), "ip", "h", 1L, null);
    java.util.concurrent.atomic.AtomicInteger blocked =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.Executor counting = counting(blocked);
    PublishResult first = f.publisher.publishAsync(req, counting).get(30, TimeUnit.SECONDS);
    PublishResult again = f.publisher.publishAsync(req, counting).get(30, TimeUnit.SECONDS);
    assertThat(first.duplicate()).isFalse();
    assertThat(again.duplicate()).isTrue();
    assertThat(again.sequence()).isEqualTo(first.sequence());
    assertThat(blocked.get()).as("settled by the thread that read each PubAck").isZero();
  }

  @Test
  void aFireAndForgetPublishThatFindsNoStreamDeclaresThemOnABlockingThreadAndIsStored()
      throws Exception {
    f.publisher.openReplyInbox();
    f.connection.jetStreamManagement().deleteStream(Subjects.STREAM_ACQUIRE);
    AcquireRequest req =
        new AcquireRequest("r" + "v".repeat(25), Fixture.unique("ffgone"), "ip", "h", 1L, null);
    java.util.concurrent.atomic.AtomicInteger blocked =
        new java.util.concurrent.atomic.AtomicInteger();
    PublishResult r = f.publisher.publishAsync(req, counting(blocked)).get(30, TimeUnit.SECONDS);
    assertThat(r.duplicate()).isFalse();
    assertThat(blocked.get()).isEqualTo(1);
    var info = f.connection.jetStreamManagement().getStreamInfo(Subjects.STREAM_ACQUIRE);
    assertThat(info.getStreamState().getMsgCount()).isEqualTo(1);
  }

  @Test
  void aFireAndForgetPublishNeverAcknowledgedIsAnUnknownOutcomeAfterTheSameRetries()
      throws Exception {
    f.connection.jetStreamManagement().deleteStream(Subjects.STREAM_ACQUIRE);
    String tpl = Fixture.unique("ffmute");
    java.util.List<io.nats.client.Message> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
    f.connection.createDispatcher(sent::add).subscribe(Subjects.acquire(tpl));
    f.connection.flush(Duration.ofSeconds(2));
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Publisher quick =
        new Publisher(() -> f.connection, new Publisher.Options(Duration.ofMillis(300), 3), meters);
    quick.openReplyInbox();
    AcquireRequest req = new AcquireRequest("r" + "n".repeat(25), tpl, "ip", "h", 1L, null);
    assertFailsWith(
        quick.publishAsync(req, r -> Thread.ofVirtual().start(r)),
        MessagingException.Kind.UNKNOWN_OUTCOME);
    assertThat(meters.counter(MetricNames.PUBLISH_RETRIES).count()).isEqualTo(2);
    assertThat(sent).hasSize(3);
    f.streams.declareAll();
  }

  @Test
  void aFireAndForgetPublishOnAClosedConnectionIsUnavailable() throws Exception {
    Connection c = Nats.connect(nats.url());
    Publisher p = new Publisher(() -> c, Publisher.Options.defaults(), new SimpleMeterRegistry());
    p.openReplyInbox();
    c.close();
    AcquireRequest req = new AcquireRequest("r" + "j".repeat(25), "hello", "ip", "h", 1L, null);
    assertFailsWith(
        p.publishAsync(req, r -> Thread.ofVirtual().start(r)), MessagingException.Kind.UNAVAILABLE);
  }

  /** A virtual thread per task, counted in {@code blocked}: the publish's blocking hand-offs. */
  private static java.util.concurrent.Executor counting(
      java.util.concurrent.atomic.AtomicInteger blocked) {
    return task -> {
      blocked.incrementAndGet();
      Thread.ofVirtual().start(task);
    };
  }

  /** The future fails (unwrapped from a CompletionException) with a MessagingException of kind. */
  private static void assertFailsWith(
      java.util.concurrent.CompletableFuture<?> future, MessagingException.Kind kind)
      throws Exception {
    Throwable failed =
        future
            .handle((r, e) ->
                e instanceof java.util.concurrent.CompletionException ce ? ce.getCause() : e)
            .get(30, TimeUnit.SECONDS);
    assertThat(failed)
        .isInstanceOfSatisfying(
            MessagingException.class, e -> assertThat(e.kind()).isEqualTo(kind));
  }
}
