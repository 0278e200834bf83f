package io.trynow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trynow.model.InstanceEvent;
import io.trynow.model.Subjects;
import io.trynow.platform.state.Instance;
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
 * Scale-out under service faults: two replicas of each service, a three-node NATS cluster, two
 * Docker hosts (private dockerds, instances on 127.0.0.2 and 127.0.0.3), Caddy; a steady stream of
 * visitors (acquire, hold, release) throughout. In turn: kill -9 one replica of each service;
 * SIGSTOP a provisioner past its lease and AckWait, then SIGCONT; a pool replica dies with visitors
 * queued by it. After each, within 60 s of settling: every accepted request ended assigned or with
 * an error the visitor saw, no demo went to two visitors, held demos answer through Caddy, Valkey,
 * both hosts and Caddy agree one-to-one, and instances are spread over both hosts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleOutServiceFaultsSystemIT {

  private static ScaleRun run;
  private static Stack stack;
  private static VisitorStream visitors;

  @BeforeAll
  static void startStack() {
    run = ScaleRun.start("scale-svc");
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
    for (Service s : Service.values()) {
      stack.kill(s, 0);
      run.awaitVisits(2); // the other replica carries on alone
      stack.start(s, 0);
    }
    run.settledAndServing("kill -9 of one replica of each service");
  }

  @Test
  @Order(3)
  void aProvisionerFrozenPastItsLeaseIsOvertakenAndHarmlessWhenItWakes() throws Exception {
    long pid = stack.pid(Service.PROVISIONER_WORKER, 0);
    signal("STOP", pid);
    try {
      // past the claim lease (health-timeout 10 s + lease-margin 10 s) and the AckWait
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
            assertThat(bus.lastEvent(Subjects.requestEvent(second, "position")))
                .map(InstanceEvent::position)
                .contains(1);
            assertThat(bus.lastEvent(Subjects.requestEvent(third, "position")))
                .map(InstanceEvent::position)
                .contains(2);
          });
      stack.start(Service.POOL_SERVICE, 0);
    } finally {
      visitors.resume();
    }
  }

  /** {@code POST /v1/demos} for "line", which must queue: its request id and access token. */
  private static Map.Entry<String, String> queue(Visitor v) {
    Http.Answer a = v.acquireRaw("line");
    assertThat(a.status()).as("queued: " + a).isEqualTo(202);
    return Map.entry(a.json().path("request_id").asText(), a.json().path("access_token").asText());
  }

  /** The instance handed to request {@code rid}, once its {@code assigned} event is out. */
  private static java.util.Optional<Instance> assignedTo(Bus bus, String rid) {
    return bus.lastEvent(Subjects.requestEvent(rid, "assigned"))
        .flatMap(e -> stack.store().instance(e.instanceId()));
  }

  static void signal(String sig, long pid) throws Exception {
    Process p = new ProcessBuilder("kill", "-" + sig, String.valueOf(pid)).inheritIO().start();
    assertThat(p.waitFor()).isZero();
  }
}
