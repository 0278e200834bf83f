package io.trynow.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.trynow.testsupport.RealServersExtension.WithRealServers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

@WithRealServers(RealServers.Kind.NATS)
class NatsServerIT {

  @Test
  void jetStreamPublishAndPullRoundTripSurvivesRestart(NatsServer nats) throws Exception {
    try (Connection nc = Nats.connect(nats.url())) {
      nc.jetStreamManagement()
          .addStream(
              StreamConfiguration.builder()
                  .name("HARNESS")
                  .subjects("harness.>")
                  .storageType(StorageType.File)
                  .build());
      JetStream js = nc.jetStream();
      PublishAck ack = js.publish("harness.one", "hello".getBytes(StandardCharsets.UTF_8));
      assertThat(ack.getSeqno()).isEqualTo(1);
    }

    nats.restart(true); // kill -9, same port, same store dir

    try (Connection nc = Nats.connect(nats.url())) {
      JetStreamSubscription sub =
          nc.jetStream()
              .subscribe("harness.>", PullSubscribeOptions.builder().durable("reader").build());
      List<Message> msgs = sub.fetch(1, Duration.ofSeconds(5));
      assertThat(msgs).hasSize(1);
      assertThat(new String(msgs.get(0).getData(), StandardCharsets.UTF_8)).isEqualTo("hello");
      msgs.get(0).ack();
    }
  }
}
