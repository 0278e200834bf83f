package io.trynow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import io.trynow.model.InstanceState;
import io.trynow.model.Labels;
import io.trynow.platform.failpoint.Failpoints;
import io.trynow.platform.state.Instance;
import java.io.Closeable;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Crashes at the worst moments, then at most 60 s of settling, after which Valkey (the store's
 * consistency checker), Docker and Caddy must agree one-to-one: no orphaned container, no dangling
 * route, no leaked port, no instance stuck half-way. One stack; the Docker outage comes last.
 *
 * <p>The host's dockerd is not restarted: it is shared with other test runs and was not started by
 * this test. What a dockerd restart does to trynow — the engine unreachable for a while, and every
 * container of ours stopped when it comes back — is reproduced with a {@link
 * io.trynow.testsupport.DockerSocketProxy} in front of the engine (the workers reach Docker only
 * through it) and by killing this stack's own containers while it is cut.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashConvergenceSystemIT {

  private static final String FAILPOINT = "trynow.proxy-sync.failpoint-delay-before-mark-ready";

  private static final Logger LOG = Logger.getLogger(CrashConvergenceSystemIT.class);
  private static final Duration SETTLE = Duration.ofSeconds(60);

  private static Stack stack;
  private static Visitor visitor;

  @BeforeAll
  static void startStack() {
    stack = Stacks.standard("crash").dockerThroughProxy().start();
    visitor = new Visitor(stack);
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @BeforeEach
  void settledBefore() {
    awaitSettled();
  }

  /** Within 60 s: the pool is at its target and every check of {@link Convergence} passes. */
  private static void awaitSettled() {
    Instant start = Instant.now();
    await()
        .atMost(SETTLE)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> {
          assertThat(stack.store().poolStats("hello").ready()).isEqualTo(2);
          assertThat(Convergence.problems(stack)).isEmpty();
        });
    LOG.infof("settled in %d ms", Duration.between(start, Instant.now()).toMillis());
  }

  private static Optional<Instance> instance(String id) {
    return stack.store().instance(id);
  }

  @Test
  @Order(1)
  void provisionerKilledBetweenContainerCreateAndMarkStarted() throws Exception {
    String victim = null;
    for (int attempt = 1; attempt <= 5 && victim == null; attempt++) {
      AtomicReference<String> created = new AtomicReference<>();
      CountDownLatch killed = new CountDownLatch(1);
      ResultCallback.Adapter<Event> onCreate =
          new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Event e) {
              if (created.compareAndSet(null, e.getActor().getAttributes().get(Labels.INSTANCE))) {
                stack.kill(Service.PROVISIONER_WORKER); // SIGKILL, right after docker create
                killed.countDown();
              }
            }
          };
      try (Closeable events =
          stack
              .docker()
              .eventsCmd()
              .withEventTypeFilter(EventType.CONTAINER)
              .withEventFilter("create")
              .withLabelFilter(Map.of(Labels.CLUSTER, stack.prefix()))
              .exec(onCreate)) {
        visitor.acquire("hello"); // the pool replenishes: a provision starts
        assertThat(killed.await(60, TimeUnit.SECONDS)).as("a container was created").isTrue();
      }
      String id = created.get();
      InstanceState state = instance(id).orElseThrow().state();
      LOG.infof(
          "attempt %d: provisioner killed after creating %s, which is %s", attempt, id, state);
      if (state == InstanceState.PROVISIONING) {
        victim = id;
      }
      stack.start(Service.PROVISIONER_WORKER);
      if (victim == null) {
        awaitSettled();
      }
    }
    assertThat(victim).as("the kill landed between create and mark_started").isNotNull();

    awaitSettled();
    String id = victim;
    Instance after = instance(id).orElseThrow();
    List<Container> its =
        stack.containers().stream()
            .filter(c -> id.equals(c.getLabels().get(Labels.INSTANCE)))
            .toList();
    if (after.state().isLive()) {
      assertThat(its).as("adopted, not duplicated").hasSize(1);
    } else {
      assertThat(its).as("removed with its failed instance").isEmpty();
    }
  }

  @Test
  @Order(2)
  void proxySyncKilledAfterTheRouteAndBeforeMarkReady() throws Exception {
    stack.stop(Service.PROXY_SYNC);
    stack.setProperty(Service.PROXY_SYNC, FAILPOINT, "10m");
    // the jar's default profile is prod: a failpoint there stops startup, naming its key
    assertThatThrownBy(() -> stack.start(Service.PROXY_SYNC))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited");
    assertThat(Files.readString(stack.log(Service.PROXY_SYNC)))
        .contains(FAILPOINT + ": a failpoint (fault injection for tests) is refused");
    stack.setProperty(Service.PROXY_SYNC, "quarkus.profile", Failpoints.PROFILE);
    stack.start(Service.PROXY_SYNC);

    visitor.acquire("hello"); // the pool replenishes: a new instance reaches started
    AtomicReference<String> victim = new AtomicReference<>();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> {
          for (Instance i : stack.store().instances(InstanceState.STARTED)) {
            if (stack.routedInstanceIds().contains(i.id())) {
              victim.set(i.id());
              return true;
            }
          }
          return false;
        });
    stack.kill(Service.PROXY_SYNC);
    String id = victim.get();
    assertThat(instance(id).orElseThrow().state())
        .as("killed with the route in Caddy and the instance not yet ready")
        .isEqualTo(InstanceState.STARTED);
    assertThat(stack.routedInstanceIds()).contains(id);

    stack.removeProperty(Service.PROXY_SYNC, FAILPOINT);
    stack.removeProperty(Service.PROXY_SYNC, "quarkus.profile");
    stack.start(Service.PROXY_SYNC);

    awaitSettled();
    assertThat(instance(id).orElseThrow().state())
        .isIn(InstanceState.READY, InstanceState.ASSIGNED);
    assertThat(stack.viaCaddy(id, "/").body()).contains("trynow sample demo");
  }

  @Test
  @Order(3)
  void caddyRestartedEmpty() {
    Visitor.Demo demo = visitor.acquire("hello");
    assertThat(stack.viaCaddy(demo.id(), "/").status()).isEqualTo(200);

    stack.servers().caddy().restart(true);
    assertThat(stack.routedInstanceIds()).as("a restarted Caddy is empty").isEmpty();

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(stack.viaCaddy(demo.id(), "/").body()).contains("trynow sample demo"));
    awaitSettled();
  }

  @Test
  @Order(4)
  void dockerEngineRestartStopsEveryContainer() throws InterruptedException {
    List<Container> before = stack.containers();
    assertThat(before).isNotEmpty();

    stack.dockerProxy().cut();
    for (Container c : before) {
      // what a daemon restart does to containers without a restart policy
      stack.docker().killContainerCmd(c.getId()).exec();
    }
    Thread.sleep(5000); // the engine stays unreachable for a while
    stack.dockerProxy().restore();

    awaitSettled();
    for (Container c : before) {
      String id = c.getLabels().get(Labels.INSTANCE);
      assertThat(instance(id).map(Instance::state).orElse(InstanceState.TERMINATED).isLive())
          .as("instance %s whose container died is no longer live", id)
          .isFalse();
    }
  }
}
