package io.trynow.platform.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.testsupport.NatsServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The service's NATS connection against a real nats-server. */
class NatsClientIT {

  @Test
  void aServiceStartedBeforeNatsConnectsOnceNatsIsUp() throws Exception {
    NatsServer nats = new NatsServer(); // port chosen, not started yet
    NatsClient client =
        new NatsClient(NatsConfigs.of(Map.of("trynow.nats.url", nats.url())), "nats-client-it");
    try {
      client.onStart(null);
      Thread.sleep(1500); // the first attempts fail: NATS is not there
      assertThat(client.isConnected()).isFalse();

      nats.start();

      assertThat(client.connection(Duration.ofSeconds(15))).isNotNull();
      assertThat(client.isConnected()).isTrue();
    } finally {
      client.onStop(null);
      nats.close();
    }
  }
}
