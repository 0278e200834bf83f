package io.trynow.gateway;

import io.quarkus.runtime.StartupEvent;
import io.trynow.platform.messaging.MessagingException;
import io.trynow.platform.messaging.Streams;
import io.trynow.platform.supervisor.Supervisor;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * The gateway publishes to streams it does not consume: it declares them itself (idempotent, like
 * every service) as soon as NATS is reachable, under the Supervisor so a NATS outage at startup
 * only delays it.
 */
@Singleton
public class GatewayStartup {

  void start(@Observes StartupEvent ev, Supervisor supervisor, Streams streams) {
    supervisor.every(
        "declare-streams",
        Duration.ofSeconds(30),
        () -> {
          try {
            streams.ensureDeclared();
          } catch (Exception e) {
            throw new MessagingException(
                MessagingException.Kind.UNAVAILABLE, "streams not declared yet", e);
          }
        });
  }
}
