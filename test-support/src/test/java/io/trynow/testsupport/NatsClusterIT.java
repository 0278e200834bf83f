package io.trynow.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Three real nats-servers form a JetStream cluster; an R3 stream survives the loss of a node. */
class NatsClusterIT {

  @Test
  void r3StreamPublishesAndConsumesWithOneNodeKilled() throws Exception {
    try (NatsCluster cluster = NatsCluster.start(3)) {
      Options options =
          Options.builder()
              .servers(cluster.urls().split(","))
              .maxReconnects(-1)
              .reconnectWait(Duration.ofMillis(200))
              .build();
      try (Connection nc = Nats.connect(options)) {
        StreamInfo info =
            nc.jetStreamManagement()
                .addStream(
                    StreamConfiguration.builder()
                        .name("HARNESS3")
                        .subjects("harness3.>")
                        .storageType(StorageType.File)
                        .replicas(3)
                        .build());
        assertThat(info.getConfiguration().getReplicas()).isEqualTo(3);
        assertThat(info.getClusterInfo().getReplicas()).hasSize(2);
        JetStream js = nc.jetStream();
        js.publish("harness3.a", "one".getBytes(StandardCharsets.UTF_8));

        // kill the node this client is connected to: it reconnects to another seed
        String connected = nc.getConnectedUrl();
        NatsServer victim =
            cluster.nodes().stream()
                .filter(n -> connected.endsWith(":" + n.port()))
                .findFirst()
                .orElseThrow();
        victim.kill();

        Awaitility.await()
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions()
            .until(() -> js.publish("harness3.b", "two".getBytes(StandardCharsets.UTF_8)) != null);

        // the stream may be electing a new leader: creating the consumer is retried meanwhile
        JetStreamSubscription sub =
            Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .ignoreExceptions()
                .until(
                    () ->
                        js.subscribe(
                            "harness3.>", PullSubscribeOptions.builder().durable("reader").build()),
                    s -> s != null);
        List<String> got = new ArrayList<>();
        Awaitility.await()
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions()
            .until(() -> {
              for (Message m : sub.fetch(10, Duration.ofSeconds(2))) {
                got.add(new String(m.getData(), StandardCharsets.UTF_8));
                m.ack();
              }
              return got.size() >= 2;
            });
        assertThat(got).startsWith("one").contains("two");

        victim.start();
        cluster.awaitJetStream(Duration.ofSeconds(60));
      }
    }
  }
}
