package io.trynow.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.api.StreamInfoOptions;
import io.trynow.model.Subjects;
import io.trynow.platform.metrics.MetricNames;
import io.trynow.testsupport.NatsServer;
import io.trynow.testsupport.RealServers.Kind;
import io.trynow.testsupport.RealServersExtension.WithRealServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Seeds 000 #9/#13/#17, 002 H4, 004 #2/#11: shutdown while messages flow loses nothing — each
 * message is acked once, or handed back and handled after the restart — and finishes within the
 * grace period.
 */
@WithRealServers(Kind.NATS)
class ShutdownUnderLoadIT {

  private static final int MESSAGES = 1000;

  @Test
  void shutdownWhile1000MessagesFlowLosesNoneAndFinishesWithinGrace(NatsServer nats)
      throws Exception {
    String tpl = Fixture.unique("load");
    String subject = Subjects.provision(tpl);
    ConsumerSpec spec =
        ConsumerSpec.builder(Subjects.STREAM_PROVISION, tpl, subject)
            .ackWait(Duration.ofSeconds(30))
            .backoff(Duration.ofMillis(50))
            .concurrency(16)
            .build();
    Duration grace = Duration.ofSeconds(3);
    Set<Integer> doneBefore = ConcurrentHashMap.newKeySet();
    Set<Integer> doneAfter = ConcurrentHashMap.newKeySet();
    AtomicInteger published = new AtomicInteger();

    Fixture before = new Fixture(nats, grace);
    Thread publisher =
        Thread.ofVirtual()
            .start(() -> {
              for (int i = 0; i < MESSAGES; i++) {
                before.publisher.publish(subject, "load-" + i, null, bytes(String.valueOf(i)));
                published.incrementAndGet();
              }
            });
    before.consumers.consume(
        spec,
        d -> {
          Thread.sleep(ThreadLocalRandom.current().nextInt(5, 25));
          doneBefore.add(Integer.parseInt(d.text()));
          return Outcome.done();
        });
    await().atMost(Duration.ofSeconds(30)).until(() -> doneBefore.size() >= 200);

    long t0 = System.nanoTime();
    before.supervisor.shutdown();
    long shutdownMs = (System.nanoTime() - t0) / 1_000_000;
    int atShutdown = doneBefore.size();
    assertThat(shutdownMs).isLessThan(grace.toMillis() + 1000);
    assertThat(atShutdown).isLessThan(MESSAGES); // it really was mid-flow
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> true);
    assertThat(doneBefore).hasSize(atShutdown); // nothing runs after shutdown returned
    publisher.join(Duration.ofSeconds(60));
    assertThat(published).hasValue(MESSAGES);

    try (Fixture after = new Fixture(nats, grace)) {
      after.consumers.consume(
          spec,
          d -> {
            doneAfter.add(Integer.parseInt(d.text()));
            return Outcome.done();
          });
      // Well below the 30s AckWait: what the first instance fetched was handed back, not stranded.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> doneBefore.size() + doneAfter.size() >= MESSAGES);
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> true);
    } finally {
      before.connection.close();
    }
    Set<Integer> both = new HashSet<>(doneBefore);
    both.retainAll(doneAfter);
    assertThat(both).as("acked before shutdown, yet delivered again").isEmpty();
    Set<Integer> all = new HashSet<>(doneBefore);
    all.addAll(doneAfter);
    assertThat(all).hasSize(MESSAGES);
    assertThat(messagesLeft(nats, subject)).isZero();
  }

  @Test
  void handlerOutlivingTheGraceIsHandedBackAndRedeliveredWithoutWaitingForAckWait(NatsServer nats)
      throws Exception {
    String tpl = Fixture.unique("slow");
    String subject = Subjects.provision(tpl);
    ConsumerSpec spec =
        ConsumerSpec.builder(Subjects.STREAM_PROVISION, tpl, subject)
            .ackWait(Duration.ofSeconds(60))
            .backoff(Duration.ofMillis(50))
            .build();
    Duration grace = Duration.ofMillis(500);
    CountDownLatch started = new CountDownLatch(1);
    AtomicInteger interrupted = new AtomicInteger();
    Fixture before = new Fixture(nats, grace);
    before.consumers.consume(
        spec,
        d -> {
          started.countDown();
          try {
            Thread.sleep(30_000);
          } catch (InterruptedException e) {
            interrupted.incrementAndGet();
            throw e;
          }
          return Outcome.done();
        });
    before.publisher.publish(subject, "slow-1", null, bytes("x"));
    assertThat(started.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    long t0 = System.nanoTime();
    before.supervisor.shutdown();
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(grace.toMillis() + 1500);
    await().atMost(Duration.ofSeconds(5)).until(() -> interrupted.get() == 1);
    assertThat(
            before.counter(
                MetricNames.MESSAGES_HANDLED,
                MetricNames.TAG_CONSUMER,
                tpl,
                MetricNames.TAG_OUTCOME,
                MetricNames.OUTCOME_ABANDONED))
        .isGreaterThanOrEqualTo(1);

    AtomicInteger redelivered = new AtomicInteger();
    try (Fixture after = new Fixture(nats, grace)) {
      after.consumers.consume(
          spec,
          d -> {
            redelivered.incrementAndGet();
            return Outcome.done();
          });
      // AckWait is 60s: only the nak at shutdown can bring it back this fast.
      await().atMost(Duration.ofSeconds(15)).until(() -> redelivered.get() == 1);
    } finally {
      before.connection.close();
    }
  }

  private static long messagesLeft(NatsServer nats, String subject) throws Exception {
    try (var c = io.nats.client.Nats.connect(nats.url())) {
      return c.jetStreamManagement()
          .getStreamInfo(
              Subjects.STREAM_PROVISION,
              StreamInfoOptions.builder().filterSubjects(subject).build())
          .getStreamState()
          .getMsgCount();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
