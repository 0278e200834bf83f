package io.trynow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.model.Container;
import io.trynow.model.Ids;
import io.trynow.model.InstanceState;
import io.trynow.model.Labels;
import io.trynow.platform.state.ConsistencyChecker;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.ReserveArgs;
import io.trynow.testsupport.FreePorts;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The visitor's path through the whole stack — five services as processes, real NATS, Valkey, Caddy
 * and Docker — plus expiry, refill, a permanent provision failure with its dead letter and replay,
 * and a duplicated provision message.
 */
class VisitorFlowSystemIT {

  private static Stack stack;
  private static Visitor visitor;
  private static Bus bus;

  @BeforeAll
  static void startStack() {
    stack = Stacks.standard("visitor-flow").start();
    visitor = new Visitor(stack);
    bus = new Bus(stack);
  }

  @AfterAll
  static void stopStack() {
    if (bus != null) {
      bus.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  private static void awaitReady(String template, int n) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> stack.store().poolStats(template).ready() >= n);
  }

  private static Instance instance(String id) {
    return stack.store().instance(id).orElseThrow();
  }

  private static List<Container> containersOf(String id) {
    return stack.containers().stream()
        .filter(c -> id.equals(c.getLabels().get(Labels.INSTANCE)))
        .toList();
  }

  @Test
  void acquireServesTheDemoThroughCaddyThenExtendAndReleaseRemoveEverythingWithin5s() {
    awaitReady("hello", 1);

    Visitor.Demo demo = visitor.acquire("hello");

    Instance assigned = instance(demo.id());
    assertThat(assigned.state()).isEqualTo(InstanceState.ASSIGNED);
    assertThat(demo.body().path("url").asText())
        .isEqualTo("http://" + demo.id() + ".demo.localhost:" + stack.servers().caddy().httpPort());
    Http.Answer page = stack.viaCaddy(demo.id(), "/");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("trynow sample demo");

    Http.Answer extended = visitor.extend(demo, 5);
    assertThat(extended.status()).as(extended.toString()).isEqualTo(200);
    assertThat(instance(demo.id()).expiresAt()).isAfter(assigned.expiresAt());

    int port = assigned.port();
    Http.Answer released = visitor.release(demo);
    assertThat(released.status()).as(released.toString()).isEqualTo(202);
    Instant releasedAt = Instant.now();

    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> {
          assertThat(instance(demo.id()).state()).isEqualTo(InstanceState.TERMINATED);
          assertThat(containersOf(demo.id())).as("container").isEmpty();
          assertThat(stack.routedInstanceIds()).as("routes").doesNotContain(demo.id());
          Http.Answer ended = stack.viaCaddy(demo.id(), "/");
          assertThat(ended.status()).as("known-ended demo host: %s", ended).isEqualTo(410);
          assertThat(ended.body()).contains("This demo has ended", "/try/hello");
          assertThat(FreePorts.isFree(port)).as("port %d free on the host", port).isTrue();
        });
    assertThat(Duration.between(releasedAt, Instant.now())).isLessThan(Duration.ofSeconds(5));
    assertThat(ConsistencyChecker.check(stack.store())).as("port back in the free set").isEmpty();
  }

  @Test
  void poolRefillsToItsTargetAfterAcquisitions() {
    awaitReady("hello", 2);

    Visitor.Demo a = visitor.acquire("hello");
    Visitor.Demo b = visitor.acquire("hello");

    assertThat(a.id()).isNotEqualTo(b.id());
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertThat(stack.store().poolStats("hello").ready()).isEqualTo(2));
    visitor.release(a);
    visitor.release(b);
  }

  @Test
  void expiryReapsWithoutAnyCall() {
    awaitReady("brief", 1);

    Visitor.Demo demo = visitor.acquire("brief");
    Instance assigned = instance(demo.id());
    assertThat(Duration.between(Instant.now(), assigned.expiresAt()))
        .isLessThanOrEqualTo(Duration.ofSeconds(4));

    // nobody calls anything: the reaper does it all
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> {
          assertThat(instance(demo.id()).state()).isEqualTo(InstanceState.TERMINATED);
          assertThat(containersOf(demo.id())).isEmpty();
          assertThat(stack.routedInstanceIds()).doesNotContain(demo.id());
        });
    Instant ended = instance(demo.id()).endedAt();
    assertThat(Duration.between(assigned.expiresAt(), ended))
        .as("reaped soon after expiry")
        .isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void theSameProvisionMessageTwiceOrReplayedGivesOneContainer() {
    String id = Ids.newInstanceId();
    assertThat(
            stack
                .store()
                .sizing()
                .reserveProvision(new ReserveArgs("dup", 1, 1, 1, List.of(id)))
                .created())
        .containsExactly(id);

    // at once, with different msg ids (JetStream cannot dedup them): the workers must
    CompletableFuture<?> a = CompletableFuture.runAsync(() -> bus.provision(id, "dup", id));
    CompletableFuture<?> b =
        CompletableFuture.runAsync(() -> bus.provision(id, "dup", id + ":again"));
    CompletableFuture.allOf(a, b).join();

    await().atMost(Duration.ofSeconds(30)).until(() -> instance(id).state() == InstanceState.READY);
    bus.provisionReplay(id, "dup", id + ":replay");
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(6))
        .untilAsserted(() -> assertThat(containersOf(id)).hasSize(1));
    assertThat(stack.routeIds()).containsOnlyOnce("trynow-" + id);
  }
}
