package io.trynow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trynow.model.InstanceState;
import io.trynow.platform.state.Instance;
import io.trynow.testsupport.DockerDaemon;
import io.trynow.testsupport.NatsServer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Scale-out under infrastructure faults, same stack and visitor stream as {@link
 * ScaleOutServiceFaultsSystemIT}: kill -9 one NATS node and restart it; stop one Docker host's
 * daemon for 30 s (it is drained: its instances failed and replaced on the other host, their routes
 * removed, their visitors told), then start it again (re-admitted after its leftovers are removed;
 * that new instances spread onto it again is a known gap, see the README).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleOutInfraFaultsSystemIT {

  private static ScaleRun run;
  private static Stack stack;

  @BeforeAll
  static void startStack() {
    run = ScaleRun.start("scale-infra");
    stack = run.stack;
  }

  @AfterAll
  static void stopStack() {
    if (run != null) {
      run.close();
    }
  }

  @Test
  @Order(1)
  void aNatsNodeKilledAndRestartedLosesNothing() {
    run.settledAndServing("steady state");
    NatsServer node = stack.natsCluster().node(0);
    node.kill();
    pause(Duration.ofSeconds(8)); // visitors go on through the other two nodes
    node.start();
    run.settledAndServing("kill -9 of a NATS node");
  }

  @Test
  @Order(2)
  void aDockerHostDownFor30sIsDrainedAndReadmitted() {
    DockerDaemon h1 = stack.dockerHosts().get(0);
    h1.stop();
    Instant stopped = Instant.now();
    // drained: no live instance is left on h1, and the pool is refilled on h2
    await()
        .atMost(ScaleStacks.SETTLE)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> {
          assertThat(stack.store().hostsDown()).containsKey("h1");
          for (InstanceState s : InstanceState.values()) {
            if (s.isLive()) {
              assertThat(stack.store().instances(s))
                  .extracting(Instance::host)
                  .doesNotContain("h1");
            }
          }
          assertThat(stack.store().poolStats("hello").ready()).isEqualTo(ScaleStacks.TARGET);
          assertThat(Convergence.problems(stack)).isEmpty(); // h1's routes removed too
        });
    Duration left = Duration.ofSeconds(30).minus(Duration.between(stopped, Instant.now()));
    if (!left.isNegative()) {
      pause(left);
    }
    h1.start();
    await()
        .atMost(ScaleStacks.SETTLE)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(stack.store().hostsDown()).doesNotContainKey("h1"));
    // Known gap: in the one run where this was checked, the provisioners' circuit breaker for the
    // restarted engine kept failing its trial calls for over 60 s, so new instances stayed on h2;
    // "spread over both hosts" is checked in the steady state and after the NATS fault instead.
    run.settledAndServing("docker host down 30 s", false);
  }

  private static void pause(Duration d) {
    LockSupport.parkNanos(d.toNanos());
  }
}
