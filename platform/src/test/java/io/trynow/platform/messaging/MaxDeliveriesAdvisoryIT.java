package io.trynow.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.api.StreamInfoOptions;
import io.trynow.model.Subjects;
import io.trynow.platform.metrics.MetricNames;
import io.trynow.testsupport.NatsServer;
import io.trynow.testsupport.RealServers.Kind;
import io.trynow.testsupport.RealServersExtension.WithRealServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A worker that dies on its last delivery never acks, naks or terms: only the server knows, via the
 * MAX_DELIVERIES advisory. The message must still land in the DLQ exactly once (and leave the work
 * queue, where nats-server 2.9 would otherwise keep it forever).
 */
@WithRealServers(Kind.NATS)
class MaxDeliveriesAdvisoryIT {

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
  void workerDyingOnItsLastDeliveryIsDeadLetteredExactlyOnceByTheAdvisoryPath() throws Exception {
    String tpl = Fixture.unique("adv");
    String subject = Subjects.provision(tpl);
    ConsumerSpec spec =
        ConsumerSpec.builder(Subjects.STREAM_PROVISION, tpl, subject)
            .ackWait(Duration.ofMillis(300))
            .backoff(Duration.ofMillis(50))
            .maxDeliver(2)
            .build();
    f.connection.jetStreamManagement().addOrUpdateConsumer(spec.stream(), spec.toConfiguration());
    PublishResult pub =
        f.publisher.publish(subject, "adv-1", null, "work".getBytes(StandardCharsets.UTF_8));

    // The doomed worker: takes both deliveries, never answers, and its connection goes away.
    try (Connection worker = Nats.connect(nats.url())) {
      ConsumerContext cc = worker.jetStream().getConsumerContext(spec.stream(), spec.durable());
      Message first = cc.next(Duration.ofSeconds(5));
      assertThat(first.metaData().deliveredCount()).isEqualTo(1);
      Message last = cc.next(Duration.ofSeconds(5));
      assertThat(last.metaData().deliveredCount()).isEqualTo(2);
    }

    // A healthy replica of the service keeps pulling; the server gives up on the message.
    AtomicInteger handled = new AtomicInteger();
    f.consumers.consume(
        spec,
        d -> {
          handled.incrementAndGet();
          return Outcome.done();
        });
    // A second replica (own connection) subscribed to the same advisories.
    try (Fixture replica = new Fixture(nats)) {
      replica.consumers.consume(
          spec,
          d -> {
            handled.incrementAndGet();
            return Outcome.done();
          });

      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> !f.deadLetters.list(0, 10, subject).items().isEmpty());
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(4)).until(() -> true);
      List<DeadLetter> dls = f.deadLetters.list(0, 10, subject).items();
      assertThat(dls).hasSize(1);
      DeadLetter dl = dls.get(0);
      assertThat(dl.originalStream()).isEqualTo(Subjects.STREAM_PROVISION);
      assertThat(dl.originalSequence()).isEqualTo(pub.sequence());
      assertThat(dl.deliveries()).isGreaterThanOrEqualTo(2);
      assertThat(dl.lastError()).contains("max deliveries");
      assertThat(new String(dl.data(), StandardCharsets.UTF_8)).isEqualTo("work");
      assertThat(handled).hasValue(0);
      double viaAdvisory =
          f.counter(MetricNames.DEAD_LETTERS, MetricNames.TAG_SOURCE, "max_deliveries")
              + replica.counter(MetricNames.DEAD_LETTERS, MetricNames.TAG_SOURCE, "max_deliveries");
      assertThat(viaAdvisory).isEqualTo(1);
    }
    assertThat(messagesIn(Subjects.STREAM_PROVISION, subject)).isZero();
  }

  @Test
  void givenUpAndAdvisoryPathsOnManyReplicasStoreOneDeadLetter() throws Exception {
    String subject = Subjects.provision(Fixture.unique("race"));
    PublishResult pub = f.publisher.publish(subject, "race-1", null, new byte[] {42});
    List<DeadLetters> replicas = new ArrayList<>();
    List<Fixture> fixtures = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Fixture r = new Fixture(nats);
      fixtures.add(r);
      replicas.add(r.deadLetters);
    }
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    AtomicInteger stored = new AtomicInteger();
    for (DeadLetters dl : replicas) {
      Callable<Boolean> c =
          () -> {
            go.await();
            return dl.onMaxDeliveries(Subjects.STREAM_PROVISION, pub.sequence(), 5);
          };
      threads.add(
          Thread.ofVirtual()
              .start(() -> {
                try {
                  if (c.call()) {
                    stored.incrementAndGet();
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }));
    }
    go.countDown();
    for (Thread t : threads) {
      t.join(Duration.ofSeconds(10));
    }
    for (Fixture r : fixtures) {
      r.close();
    }
    assertThat(stored).hasValue(1);
    assertThat(f.deadLetters.list(0, 10, subject).items()).hasSize(1);
    assertThat(messagesIn(Subjects.STREAM_PROVISION, subject)).isZero();
  }

  private long messagesIn(String stream, String subject) throws Exception {
    return f.connection
        .jetStreamManagement()
        .getStreamInfo(stream, StreamInfoOptions.builder().filterSubjects(subject).build())
        .getStreamState()
        .getMsgCount();
  }
}
