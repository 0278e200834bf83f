package io.trynow.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.trynow.model.Subjects;
import io.trynow.platform.supervisor.LoopHandle;
import io.trynow.testsupport.NatsServer;
import io.trynow.testsupport.RealServers.Kind;
import io.trynow.testsupport.RealServersExtension.WithRealServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * nats-server killed (SIGKILL) and restarted mid-run: the consumer resumes by itself (no service
 * restart), and every message the server acknowledged (PubAck) is handled.
 */
@WithRealServers(Kind.NATS)
class NatsRestartIT {

  private static final int MESSAGES = 300;

  @Test
  void consumersResumeAfterNatsRestartAndNothingAckedIsLost(NatsServer nats) throws Exception {
    String tpl = Fixture.unique("restart");
    String subject = Subjects.provision(tpl);
    Set<Integer> pubAcked = ConcurrentHashMap.newKeySet();
    Set<Integer> handled = ConcurrentHashMap.newKeySet();
    try (Fixture f = new Fixture(nats)) {
      LoopHandle loop =
          f.consumers.consume(
              ConsumerSpec.builder(Subjects.STREAM_PROVISION, tpl, subject)
                  .ackWait(Duration.ofSeconds(2))
                  .backoff(Duration.ofMillis(50))
                  .concurrency(8)
                  .build(),
              d -> {
                handled.add(Integer.parseInt(d.text()));
                return Outcome.done();
              });
      Thread publisher =
          Thread.ofVirtual()
              .start(() -> {
                for (int i = 0; i < MESSAGES; i++) {
                  Fixture.publishUntilAcked(
                      f.publisher,
                      subject,
                      "restart-" + i,
                      String.valueOf(i).getBytes(StandardCharsets.UTF_8),
                      Duration.ofSeconds(60));
                  pubAcked.add(i);
                  if (i % 10 == 0) {
                    LockSupport.parkNanos(Duration.ofMillis(5).toNanos()); // keep it flowing
                  }
                }
              });
      await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() >= 50);

      nats.kill();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> f.connection.getStatus() != Connection.Status.CONNECTED);
      nats.start();

      publisher.join(Duration.ofSeconds(90));
      assertThat(pubAcked).hasSize(MESSAGES);
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(() -> assertThat(handled).containsAll(pubAcked));
      assertThat(loop.status().running()).isTrue();
    }
  }
}
