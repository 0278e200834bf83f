package io.trynow.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.api.ConsumerInfo;
import io.trynow.model.Subjects;
import io.trynow.platform.metrics.MetricNames;
import io.trynow.testsupport.NatsServer;
import io.trynow.testsupport.RealServers.Kind;
import io.trynow.testsupport.RealServersExtension.WithRealServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A consumer with a free handler slot receives on the thread that then runs the handler (no
 * hand-off per message: the sparse-traffic path, {@code SupervisedConsumer}). The guarantees are
 * the same as on the dispatched path: every message handled and acked once, retry-later redelivered
 * after its backoff, never more handlers at once than the concurrency, idle gaps longer than a
 * pull's life change nothing, and a shutdown drains a handler received this way.
 */
@WithRealServers(Kind.NATS)
class SparseConsumerIT {

  @Test
  void sparseMessagesAcrossIdleGapsAreEachHandledOnceAndAcked(NatsServer nats) throws Exception {
    String tpl = Fixture.unique("sparse");
    String subject = Subjects.provision(tpl);
    Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    try (Fixture f = new Fixture(nats)) {
      f.consumers.consume(
          ConsumerSpec.builder(Subjects.STREAM_PROVISION, tpl, subject)
              .backoff(Duration.ofMillis(100))
              .concurrency(2)
              .build(),
          d -> {
            threads.add(Thread.currentThread().getName());
            int n = runs.computeIfAbsent(d.text(), k -> new AtomicInteger()).incrementAndGet();
            // every third message asks to be retried once: the nak path from a receiving thread
            return d.text().hashCode() % 3 == 0 && n == 1
                ? Outcome.retryLater("once")
                : Outcome.done();
          });
      for (int i = 0; i < 12; i++) {
        String body = "m" + i;
        f.publisher.publish(subject, tpl + "-" + i, null, body.getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.containsKey(body));
        if (i % 4 == 3) {
          // idle for longer than one pull lives (SupervisedConsumer.PULL_EXPIRES)
          Duration idle = SupervisedConsumer.PULL_EXPIRES.plusMillis(300);
          await().pollDelay(idle).atMost(idle.plusSeconds(1)).until(() -> true);
        }
      }
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> runs.values().stream().allMatch(c -> c.get() >= 1) && settled(f, tpl));
      for (int i = 0; i < 12; i++) {
        int expected = ("m" + i).hashCode() % 3 == 0 ? 2 : 1;
        assertThat(runs.get("m" + i)).as("runs of m%d", i).hasValue(expected);
      }
      assertThat(threads).allMatch(t -> t.startsWith(tpl + "-handler-"));
      assertThat(
              f.counter(
                  MetricNames.MESSAGES_HANDLED,
                  MetricNames.TAG_CONSUMER,
                  tpl,
                  MetricNames.TAG_OUTCOME,
                  MetricNames.OUTCOME_DONE))
          .isEqualTo(12);
    }
  }

  @Test
  void aBurstOnOneSlotNeverRunsTwoHandlersAtOnce(NatsServer nats) throws Exception {
    String tpl = Fixture.unique("oneslot");
    String subject = Subjects.provision(tpl);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    try (Fixture f = new Fixture(nats)) {
      f.consumers.consume(
          ConsumerSpec.builder(Subjects.STREAM_PROVISION, tpl, subject).concurrency(1).build(),
          d -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
              await().pollDelay(Duration.ofMillis(20)).until(() -> true);
              runs.computeIfAbsent(d.text(), k -> new AtomicInteger()).incrementAndGet();
              return Outcome.done();
            } finally {
              running.decrementAndGet();
            }
          });
      for (int i = 0; i < 30; i++) {
        f.publisher.publish(subject, tpl + "-" + i, null, ("b" + i).getBytes());
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> runs.size() == 30 && settled(f, tpl));
      assertThat(most).hasValue(1);
      assertThat(runs.values()).allMatch(c -> c.get() == 1);
    }
  }

  @Test
  void shutdownDrainsAHandlerThatReceivedItsOwnMessage(NatsServer nats) throws Exception {
    String tpl = Fixture.unique("drain");
    String subject = Subjects.provision(tpl);
    AtomicInteger started = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    ConsumerSpec spec =
        ConsumerSpec.builder(Subjects.STREAM_PROVISION, tpl, subject).concurrency(4).build();
    Fixture f = new Fixture(nats, Duration.ofSeconds(5));
    try {
      f.consumers.consume(
          spec,
          d -> {
            started.incrementAndGet();
            await().pollDelay(Duration.ofMillis(500)).until(() -> true);
            finished.incrementAndGet();
            return Outcome.done();
          });
      f.publisher.publish(subject, tpl + "-1", null, new byte[] {1});
      await().atMost(Duration.ofSeconds(10)).until(() -> started.get() == 1);
      f.supervisor.shutdown(); // within the grace: the running handler finishes and acks
      assertThat(finished).hasValue(1);
      ConsumerInfo info =
          f.connection.jetStreamManagement().getConsumerInfo(Subjects.STREAM_PROVISION, tpl);
      assertThat(info.getNumAckPending()).isZero();
      assertThat(info.getNumPending()).isZero();
    } finally {
      f.close();
    }
  }

  /** Nothing pending or unacknowledged on the consumer. */
  private static boolean settled(Fixture f, String durable) throws Exception {
    ConsumerInfo info =
        f.connection.jetStreamManagement().getConsumerInfo(Subjects.STREAM_PROVISION, durable);
    return info.getNumAckPending() == 0 && info.getNumPending() == 0;
  }
}
