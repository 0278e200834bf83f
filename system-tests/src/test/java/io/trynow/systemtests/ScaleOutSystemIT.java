package io.trynow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trynow.model.InstanceState;
import io.trynow.model.RequestEvent;
import io.trynow.model.RequestEventKind;
import io.trynow.model.Subjects;
import io.trynow.platform.state.Instance;
import io.trynow.testsupport.DockerDaemon;
import io.trynow.testsupport.NatsServer;
import io.trynow.testsupport.ValkeySentinels;
import io.trynow.testsupport.ValkeyServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Scale-out under faults, on one stack for the whole class (starting ten service JVMs is the costly
 * part on a loaded machine): two replicas of each service, a three-node NATS cluster, Valkey
 * primary + two replicas + Sentinel, two Docker hosts (private dockerds, instances on 127.0.0.2 and
 * 127.0.0.3), Caddy; a steady stream of visitors (acquire, hold, release) throughout. In turn: kill
 * -9 one replica of each service; SIGSTOP a provisioner past its lease and AckWait, then SIGCONT; a
 * pool replica dies with visitors queued by it; kill -9 one NATS node and restart it; kill -9 the
 * Valkey primary (the Sentinel promotes a replica); stop one Docker host's daemon for 30 s
 * (drained, then re-admitted and used again). After each, within 60 s of settling: every accepted
 * request ended assigned or with an error the visitor saw, no demo went to two visitors, held demos
 * answer through Caddy, Valkey (its consistency checker), both hosts and Caddy agree one-to-one,
 * and instances are spread over both hosts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleOutSystemIT {

  private static ScaleRun run;
  private static Stack stack;
  private static VisitorStream visitors;

  @BeforeAll
  static void startStack() {
    run = ScaleRun.start("scale");
    stack = run.stack;
    visitors = run.visitors;
  }

  @AfterAll
  static void stopStack() {
    if (run != null) {
      run.close();
    }
  }

  @Test
  @Order(1)
  void steadyVisitorsAreServedFromBothHosts() {
    run.awaitVisits(6);
    run.settledAndServing("steady state");
  }

  @Test
  @Order(2)
  void killingOneReplicaOfEachServiceLosesNothing() {
    // one at a time, and each stays dead: at the end every service runs on its other replica alone
    for (Service s : Service.values()) {
      stack.kill(s, 0);
      run.awaitVisits(2);
    }
    stack.startAll(0); // in parallel: a JVM start is slow on a loaded machine
    run.settledAndServing("kill -9 of one replica of each service");
  }

  @Test
  @Order(3)
  void aProvisionerFrozenPastItsLeaseIsOvertakenAndHarmlessWhenItWakes() throws Exception {
    long pid = stack.pid(Service.PROVISIONER_WORKER, 0);
    signal("STOP", pid);
    try {
      // far past the claim lease (6 s, unrenewed while stopped) and the AckWait
      Instant until = Instant.now().plus(Duration.ofSeconds(35));
      while (Instant.now().isBefore(until)) {
        LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
      }
    } finally {
      signal("CONT", pid);
    }
    run.settledAndServing("SIGSTOP of a provisioner past its lease, then SIGCONT");
  }

  @Test
  @Order(4)
  void visitorsQueuedByAPoolReplicaThatDiedKeepGettingTheirPositions() {
    visitors.pause();
    try (Bus bus = new Bus(stack)) {
      // only replica 0 of pool-service runs while visitors queue for "line" (max-total 1)
      stack.stop(Service.POOL_SERVICE, 1);
      Visitor v = new Visitor(stack);
      // the first takes the template's only instance...
      Map.Entry<String, String> holder = queue(v);
      Instance held =
          await()
              .atMost(Duration.ofSeconds(90))
              .pollInterval(Duration.ofMillis(500))
              .until(() -> assignedTo(bus, holder.getKey()), java.util.Optional::isPresent)
              .orElseThrow();
      // ...so the next three wait behind it, queued by replica 0
      List<Map.Entry<String, String>> queued = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        queued.add(queue(v));
      }
      // the replica that queued them dies; the other one alone goes on
      stack.start(Service.POOL_SERVICE, 1);
      stack.kill(Service.POOL_SERVICE, 0);

      // the holder leaves: the instance is replaced, the first waiting visitor gets it, and the
      // other two are told their new places (1 and 2) by the surviving replica
      v.release(new Visitor.Demo(held.id(), holder.getValue(), null));
      String second = queued.get(1).getKey();
      String third = queued.get(2).getKey();
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(() -> {
            assertThat(assignedTo(bus, queued.get(0).getKey())).isPresent();
            assertThat(bus.lastEvent(Subjects.requestEvent(second, RequestEventKind.POSITION)))
                .map(RequestEvent::position)
                .contains(1);
            assertThat(bus.lastEvent(Subjects.requestEvent(third, RequestEventKind.POSITION)))
                .map(RequestEvent::position)
                .contains(2);
          });
      stack.start(Service.POOL_SERVICE, 0);
    } finally {
      visitors.resume();
    }
  }

  @Test
  @Order(5)
  void aNatsNodeKilledAndRestartedLosesNothing() {
    NatsServer node = stack.natsCluster().node(0);
    node.kill();
    pause(Duration.ofSeconds(8)); // visitors go on through the other two nodes
    node.start();
    run.settledAndServing("kill -9 of a NATS node");
  }

  @Test
  @Order(6)
  void theValkeyPrimaryKilledFailsOverAndLosesNothing() {
    run.awaitVisits(2);
    ValkeySentinels valkey = stack.valkeySentinels();
    ValkeyServer old = valkey.killPrimary();
    ValkeyServer promoted = valkey.awaitFailover(Duration.ofSeconds(60));
    assertThat(promoted.port()).isNotEqualTo(old.port());
    stack.valkeyFailedOver();
    run.settledAndServing("kill -9 of the Valkey primary");
  }

  @Test
  @Order(7)
  void aDockerHostDownFor30sIsDrainedAndReadmitted() {
    DockerDaemon h1 = stack.dockerHosts().get(0);
    h1.stop();
    Instant stopped = Instant.now();
    // drained: no live instance is left on h1, and the pool is refilled on h2
    await()
        .atMost(ScaleStacks.SETTLE)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> {
          assertThat(stack.store().capacity().hostsDown()).containsKey("h1");
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
        .untilAsserted(
            () -> assertThat(stack.store().capacity().hostsDown()).doesNotContainKey("h1"));
    // re-admitted and used again: new instances are placed on it (the emptier host)
    run.settledAndServing("docker host down 30 s", true);
  }

  /** {@code POST /v1/demos} for "line", which must queue: its request id and access token. */
  private static Map.Entry<String, String> queue(Visitor v) {
    Http.Answer a = v.acquireRaw("line");
    assertThat(a.status()).as("queued: " + a).isEqualTo(202);
    return Map.entry(a.json().path("request_id").asText(), a.json().path("access_token").asText());
  }

  /** The instance handed to request {@code rid}, once its {@code assigned} event is out. */
  private static java.util.Optional<Instance> assignedTo(Bus bus, String rid) {
    return bus.lastEvent(Subjects.requestEvent(rid, RequestEventKind.ASSIGNED))
        .flatMap(e -> stack.store().instance(e.instanceId()));
  }

  static void signal(String sig, long pid) throws Exception {
    Process p = new ProcessBuilder("kill", "-" + sig, String.valueOf(pid)).inheritIO().start();
    assertThat(p.waitFor()).isZero();
  }

  private static void pause(Duration d) {
    LockSupport.parkNanos(d.toNanos());
  }
}
