package io.trynow.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trynow.model.Subjects;
import io.trynow.platform.metrics.MetricNames;
import io.trynow.platform.supervisor.LoopHandle;
import io.trynow.testsupport.NatsServer;
import io.trynow.testsupport.RealServers.Kind;
import io.trynow.testsupport.RealServersExtension.WithRealServers;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * A NATS that comes back without its streams and consumers (restarted without its store, or deleted
 * by hand): publishers declare the streams again, consumers notice and re-create themselves; no
 * service restart.
 */
@WithRealServers(Kind.NATS)
class VanishedConsumerIT {

  @Test
  void deletedStreamAndConsumerAreDeclaredAgainAndTheFlowResumes(NatsServer nats) throws Exception {
    String tpl = Fixture.unique("gone");
    String subject = Subjects.provision(tpl);
    Set<String> handled = ConcurrentHashMap.newKeySet();
    try (Fixture f = new Fixture(nats)) {
      LoopHandle loop =
          f.consumers.consume(
              ConsumerSpec.builder(Subjects.STREAM_PROVISION, tpl, subject).build(),
              d -> {
                handled.add(d.msgId());
                return Outcome.done();
              });
      f.publisher.publish(subject, "before", null, new byte[] {1});
      await().atMost(Duration.ofSeconds(10)).until(() -> handled.contains("before"));

      f.connection.jetStreamManagement().deleteStream(Subjects.STREAM_PROVISION);

      PublishResult after = f.publisher.publish(subject, "after", null, new byte[] {2});
      assertThat(after.stream()).isEqualTo(Subjects.STREAM_PROVISION);
      await().atMost(Duration.ofSeconds(30)).until(() -> handled.contains("after"));
      assertThat(loop.status().running()).isTrue();
      assertThat(f.counter(MetricNames.LOOP_RESTARTS, MetricNames.TAG_LOOP, "consumer-" + tpl))
          .isGreaterThanOrEqualTo(1);
    }
  }
}
