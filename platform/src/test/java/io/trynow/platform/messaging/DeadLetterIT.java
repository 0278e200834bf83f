package io.trynow.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.trynow.model.Headers;
import io.trynow.model.Subjects;
import io.trynow.platform.metrics.MetricNames;
import io.trynow.testsupport.NatsServer;
import io.trynow.testsupport.RealServers.Kind;
import io.trynow.testsupport.RealServersExtension.WithRealServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Give-up path, retry delays, exactly one dead letter, replay (seeds 004 #5, #15; 000 #8). */
@WithRealServers(Kind.NATS)
class DeadLetterIT {

  private Fixture f;

  @BeforeEach
  void setUp(NatsServer nats) throws Exception {
    f = new Fixture(nats);
  }

  @AfterEach
  void tearDown() throws Exception {
    f.close();
  }

  @Test
  void throwingHandlerIsRetriedWithDelaysThenDeadLetteredOnceThenReplayedAndGone() {
    String tpl = Fixture.unique("dl");
    String subject = Subjects.provision(tpl);
    List<Long> deliveries = new CopyOnWriteArrayList<>();
    List<String> requestIdsSeenInMdc = new CopyOnWriteArrayList<>();
    AtomicBoolean fixed = new AtomicBoolean(false);
    List<String> succeeded = new CopyOnWriteArrayList<>();
    ConsumerSpec spec =
        ConsumerSpec.builder(Subjects.STREAM_PROVISION, tpl, subject)
            .ackWait(Duration.ofSeconds(2))
            .backoff(Duration.ofMillis(50), Duration.ofMillis(150))
            .maxDeliver(3)
            .jitter(0)
            .build();
    f.consumers.consume(
        spec,
        d -> {
          requestIdsSeenInMdc.add(
              String.valueOf(org.jboss.logging.MDC.get(Headers.MDC_REQUEST_ID)));
          if (fixed.get()) {
            succeeded.add(d.replayOf());
            return Outcome.done();
          }
          deliveries.add(System.nanoTime());
          throw new IllegalStateException("docker said no");
        });

    String rid = "r" + "a".repeat(25);
    PublishResult pub =
        f.publisher.publish(subject, "prov-1", rid, "payload".getBytes(StandardCharsets.UTF_8));
    assertThat(pub.stream()).isEqualTo(Subjects.STREAM_PROVISION);

    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> !f.deadLetters.list(0, 10, subject).items().isEmpty());
    assertThat(deliveries).hasSize(3);
    assertThat(ms(deliveries.get(1) - deliveries.get(0))).isGreaterThanOrEqualTo(45);
    assertThat(ms(deliveries.get(2) - deliveries.get(1))).isGreaterThanOrEqualTo(140);
    assertThat(requestIdsSeenInMdc).containsOnly(rid);

    // Exactly one, and it stays one (no advisory duplicate, no redelivery).
    await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3)).until(() -> true);
    DeadLetterPage page = f.deadLetters.list(0, 10, subject);
    assertThat(page.items()).hasSize(1);
    DeadLetter dl = page.items().get(0);
    assertThat(dl.originalSubject()).isEqualTo(subject);
    assertThat(dl.originalStream()).isEqualTo(Subjects.STREAM_PROVISION);
    assertThat(dl.originalSequence()).isEqualTo(pub.sequence());
    assertThat(dl.deliveries()).isEqualTo(3);
    assertThat(dl.lastError()).contains("docker said no");
    assertThat(dl.requestId()).isEqualTo(rid);
    assertThat(dl.deadLetteredAt()).isNotNull();
    assertThat(new String(dl.data(), StandardCharsets.UTF_8)).isEqualTo("payload");
    assertThat(f.deadLetters.show(dl.sequence())).isPresent();
    assertThat(f.counter(MetricNames.DEAD_LETTERS, MetricNames.TAG_SOURCE, "give_up")).isEqualTo(1);
    assertThat(
            f.counter(
                MetricNames.MESSAGES_HANDLED,
                MetricNames.TAG_CONSUMER,
                tpl,
                MetricNames.TAG_OUTCOME,
                MetricNames.OUTCOME_RETRY))
        .isEqualTo(2);
    // Termed: gone from the work queue.
    assertThat(streamMessages(Subjects.STREAM_PROVISION, subject)).isZero();

    fixed.set(true);
    assertThat(f.deadLetters.replay(dl.sequence())).isPresent();
    await().atMost(Duration.ofSeconds(10)).until(() -> succeeded.size() == 1);
    assertThat(succeeded).containsExactly(String.valueOf(dl.sequence()));
    assertThat(f.deadLetters.show(dl.sequence())).isEmpty();
    assertThat(f.deadLetters.list(0, 10, subject).items()).isEmpty();
    assertThat(f.deadLetters.replay(dl.sequence())).isEmpty();
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> true);
    assertThat(succeeded).hasSize(1);
  }

  @Test
  void giveUpDeadLettersOnTheFirstDeliveryAndDeleteRemovesIt() {
    String tpl = Fixture.unique("gu");
    String subject = Subjects.cleanup("i" + "b".repeat(19));
    String durable = Fixture.unique("cleanup");
    List<Long> calls = new CopyOnWriteArrayList<>();
    f.consumers.consume(
        ConsumerSpec.builder(Subjects.STREAM_CLEANUP, durable, subject).build(),
        d -> {
          calls.add(d.deliveryCount());
          return Outcome.giveUp("malformed " + tpl);
        });
    f.publisher.publish(subject, "cleanup:x", null, new byte[] {1, 2, 3});
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !f.deadLetters.list(0, 10, subject).items().isEmpty());
    assertThat(calls).containsExactly(1L);
    DeadLetter dl = f.deadLetters.list(0, 10, subject).items().get(0);
    assertThat(dl.lastError()).isEqualTo("malformed " + tpl);
    assertThat(dl.deliveries()).isEqualTo(1);
    assertThat(f.deadLetters.delete(dl.sequence())).isTrue();
    assertThat(f.deadLetters.delete(dl.sequence())).isFalse();
    assertThat(f.deadLetters.list(0, 10, subject).items()).isEmpty();
  }

  private long streamMessages(String stream, String subject) {
    try {
      return f.connection
          .jetStreamManagement()
          .getStreamInfo(
              stream,
              io.nats.client.api.StreamInfoOptions.builder().filterSubjects(subject).build())
          .getStreamState()
          .getMsgCount();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  /**
   * {@code TRYNOW_DLQ} is declared by the first service that starts a consumer. A reader that comes
   * first (the gateway's fleet gauges at its startup) finds no dead letters, not an error: before,
   * the "stream not found" failed the gateway's start (seen in CI, NatsOutageIT).
   */
  @Test
  void beforeTheStreamIsDeclaredThereAreNoDeadLetters() throws Exception {
    try (NatsServer bare = (NatsServer) new NatsServer().start();
        Connection c = Nats.connect(bare.url())) {
      DeadLetters none = new DeadLetters(c, f.publisher, new SimpleMeterRegistry());
      assertThat(none.list(0, 10).items()).isEmpty();
      assertThat(none.list(0, 10, "trynow.provision.>").items()).isEmpty();
      assertThat(none.count()).isZero();
    }
  }
}
