package io.trynow.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.api.StorageType;
import io.nats.client.api.StreamInfo;
import io.trynow.model.Subjects;
import io.trynow.platform.supervisor.LoopHandle;
import io.trynow.testsupport.NatsCluster;
import io.trynow.testsupport.NatsServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A three-node NATS cluster, streams at R3, the client given every seed URL: one node killed
 * (SIGKILL) mid-run and restarted. Publishing and consuming go on through the other two, and every
 * message the cluster acknowledged (PubAck) is handled.
 */
class NatsClusterFailoverIT {

  private static final int MESSAGES = 300;

  @Test
  void r3StreamsKeepPublishingAndConsumingThroughTheLossOfOneNode() throws Exception {
    String tpl = Fixture.unique("cluster");
    String subject = Subjects.provision(tpl);
    Set<Integer> pubAcked = ConcurrentHashMap.newKeySet();
    Set<Integer> handled = ConcurrentHashMap.newKeySet();
    Streams.Options r3 =
        new Streams.Options(
            Duration.ofMinutes(2), Duration.ofHours(1), Duration.ofDays(1), 3, StorageType.File);
    try (NatsCluster cluster = NatsCluster.start(3);
        Fixture f = new Fixture(cluster.urls(), r3, Duration.ofSeconds(5))) {
      StreamInfo info = f.connection.jetStreamManagement().getStreamInfo(Subjects.STREAM_PROVISION);
      assertThat(info.getConfiguration().getReplicas()).isEqualTo(3);
      LoopHandle loop =
          f.consumers.consume(
              ConsumerSpec.builder(Subjects.STREAM_PROVISION, tpl, subject)
                  .ackWait(Duration.ofSeconds(5))
                  .backoff(Duration.ofMillis(100))
                  .concurrency(4)
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
                      "cluster-" + i,
                      String.valueOf(i).getBytes(StandardCharsets.UTF_8),
                      Duration.ofSeconds(90));
                  pubAcked.add(i);
                  if (i % 10 == 0) {
                    LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
                  }
                }
              });
      await().atMost(Duration.ofSeconds(60)).until(() -> handled.size() >= 50);

      // the node this client is connected to: the harshest one to lose
      String connected = f.connection.getConnectedUrl();
      NatsServer victim =
          cluster.nodes().stream()
              .filter(n -> connected != null && connected.endsWith(":" + n.port()))
              .findFirst()
              .orElse(cluster.node(0));
      victim.kill();
      int atKill = handled.size();
      await().atMost(Duration.ofSeconds(60)).until(() -> handled.size() > atKill + 20);
      victim.start();

      publisher.join(Duration.ofSeconds(120));
      assertThat(pubAcked).hasSize(MESSAGES);
      await()
          .atMost(Duration.ofSeconds(90))
          .untilAsserted(() -> assertThat(handled).containsAll(pubAcked));
      assertThat(loop.status().running()).isTrue();
    }
  }
}
