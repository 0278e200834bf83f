package io.trynow.platform.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import io.trynow.model.Ids;
import io.trynow.testsupport.DockerDaemon;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Docker engine that stops and comes back (a private {@code dockerd}): the pooled connections of
 * a client are dead afterwards, and a POST sent on one fails instead of being retried. The engine's
 * circuit breaker drops them when it opens ({@link EngineClient#reconnect()}, wired in {@link
 * DockerProducer}), so the first call after the engine is back, a POST included, reaches it. Last
 * session a provisioner kept failing its breaker's trial {@code create} for over a minute after its
 * host was re-admitted.
 */
class EngineRestartIT {

  private static DockerDaemon daemon;

  @BeforeAll
  static void start() {
    daemon = new DockerDaemon("rs-" + Ids.newInstanceId().substring(1, 7)).start();
  }

  @AfterAll
  static void stop() {
    if (daemon != null) {
      daemon.close();
    }
  }

  private static DockerSettings settings() {
    return new DockerSettings(
        daemon.host(),
        false,
        Optional.empty(),
        Optional.empty(),
        8,
        Duration.ofSeconds(3),
        Duration.ofSeconds(30));
  }

  @Test
  void theFirstPostAfterTheEngineCameBackReachesIt() throws IOException {
    AtomicInteger opened = new AtomicInteger();
    try (DockerClient plain = DockerClients.create(settings());
        EngineClient engine = new EngineClient(settings())) {
      // a breaker in miniature (SmallRye's needs CDI): every failure "opens" it, and opening
      // drops the pooled connections as DockerProducer's onOpen does
      EngineGuard guard =
          new EngineGuard() {
            @Override
            public <T> T call(java.util.function.Supplier<T> engineCall) {
              try {
                return engineCall.get();
              } catch (DockerUnavailableException e) {
                opened.incrementAndGet();
                engine.reconnect();
                throw e;
              }
            }
          };
      Containers containers = new Containers(engine, guard, 2);
      plain.pingCmd().exec(); // each client now holds a pooled connection
      containers.ping();

      daemon.stop();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .untilAsserted(() -> {
            assertThatThrownBy(containers::ping).isInstanceOf(DockerUnavailableException.class);
          });
      daemon.start();
      int openedWhileDown = opened.get();

      // the cause: a POST on the plain client's pooled connection fails though the engine is up
      assertThatThrownBy(() -> plain.startContainerCmd("trynow-absent").exec())
          .hasRootCauseInstanceOf(IOException.class);

      // through the breaker: once it lets a trial call through (after its 1 s delay), the POST
      // reaches the engine, which answers that there is no such container
      await()
          .atMost(Duration.ofSeconds(30))
          .pollDelay(Duration.ofMillis(1500))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(() ->
              assertThatThrownBy(() -> containers.start("trynow-absent"))
                  .hasMessageContaining("vanished before start"));
      // the breaker's first trial after the engine came back went through: it did not open again
      assertThat(opened)
          .as("breaker openings after the engine came back")
          .hasValue(openedWhileDown);
      containers.ping();
    }
  }
}
