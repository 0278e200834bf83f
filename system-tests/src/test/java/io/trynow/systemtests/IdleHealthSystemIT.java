package io.trynow.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trynow.model.InstanceState;
import io.trynow.platform.state.Instance;
import io.trynow.testsupport.SampleImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Healthy idle instances on the whole stack (issue 14): a ready container killed behind trynow's
 * back is never handed to a visitor (the probe right before the claim discards it, the next ready
 * one is served) and is recycled; the periodic re-probe recycles a dead idle instance nobody asked
 * for; an instance idle longer than max-idle is recycled and replaced. Also measures what the probe
 * before the claim costs on the acquire path.
 */
class IdleHealthSystemIT {

  private static final Logger LOG = Logger.getLogger(IdleHealthSystemIT.class);

  private static Stack stack;
  private static Visitor visitor;

  @BeforeAll
  static void startStack() {
    String sample = SampleImage.IMAGE;
    stack =
        Stacks.base("idle-health")
            .template("hello", Map.of("image", sample, "min-ready", "0"))
            .template(
                "watched",
                Map.of(
                    "image", sample,
                    "health-path", SampleImage.HEALTH_PATH,
                    "min-ready", "3",
                    "max-total", "6",
                    "max-in-flight", "3",
                    "health-timeout", "20s",
                    "probe-before-claim", "true"))
            .template(
                "plain",
                Map.of(
                    "image", sample,
                    "health-path", SampleImage.HEALTH_PATH,
                    "min-ready", "2",
                    "max-total", "4",
                    "max-in-flight", "2",
                    "health-timeout", "20s"))
            .template(
                "aging",
                Map.of(
                    "image", sample,
                    "health-path", SampleImage.HEALTH_PATH,
                    "min-ready", "1",
                    "max-total", "2",
                    "max-in-flight", "1",
                    "health-timeout", "20s",
                    "max-idle", "8s"))
            .property(Service.CLEANUP_WORKER, "trynow.cleanup.idle.interval", "2s")
            .property(Service.CLEANUP_WORKER, "trynow.cleanup.idle.probe-timeout", "1s")
            // the orphan sweeper also fails ready instances whose container stopped: slowed down
            // here so that what is seen is the idle prober's work
            .property(Service.CLEANUP_WORKER, "trynow.cleanup.sweeper.interval", "60s")
            .start();
    visitor = new Visitor(stack);
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  private static List<Instance> ready(String template) {
    return stack.readyInstances(template);
  }

  private static Instance instance(String id) {
    return stack.store().instance(id).orElseThrow();
  }

  private static void kill(Instance i) {
    stack.docker().killContainerCmd(i.containerName()).exec();
  }

  @Test
  void aReadyContainerKilledBehindOurBackIsNeverHandedOutAndIsRecycled() {
    await().atMost(Duration.ofSeconds(90)).until(() -> ready("watched").size() >= 3);
    Instance oldest = ready("watched").getFirst();
    kill(oldest);

    // acquire right after the kill: the oldest would be next, the claim check catches it
    Visitor.Demo demo = visitor.acquire("watched");
    assertThat(demo.id()).isNotEqualTo(oldest.id());
    assertThat(stack.viaCaddy(demo.id(), "/").status()).isEqualTo(200);

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> {
          Instance gone = instance(oldest.id());
          assertThat(gone.state()).isEqualTo(InstanceState.TERMINATED);
          assertThat(gone.ownerTokenHash()).as("never owned by a visitor").isNull();
          assertThat(gone.requestId()).isNull();
        });
    visitor.release(demo);
  }

  @Test
  void aDeadIdleInstanceNobodyAskedForIsRecycledByThePeriodicProbe() {
    await().atMost(Duration.ofSeconds(90)).until(() -> ready("plain").size() >= 2);
    Instance victim = ready("plain").getLast();
    kill(victim);
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> {
          Instance gone = instance(victim.id());
          assertThat(gone.state()).isIn(InstanceState.TERMINATING, InstanceState.TERMINATED);
          assertThat(gone.lastError()).contains("idle health probe");
          assertThat(gone.requestId()).isNull();
        });
    await().atMost(Duration.ofSeconds(60)).until(() -> ready("plain").size() >= 2);
  }

  @Test
  void aHungIdleInstanceIsRecycledWhenItsProbeTimesOutAndTheEngineSaysItIsNotRunning() {
    await().atMost(Duration.ofSeconds(90)).until(() -> ready("plain").size() >= 2);
    Instance hung = ready("plain").getFirst();
    stack.docker().pauseContainerCmd(hung.containerName()).exec();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> {
          Instance gone = instance(hung.id());
          assertThat(gone.state()).isIn(InstanceState.TERMINATING, InstanceState.TERMINATED);
          assertThat(gone.lastError()).contains("timed out");
        });
  }

  @Test
  void anInstanceIdleLongerThanMaxIdleIsRecycledAndReplaced() {
    await().atMost(Duration.ofSeconds(90)).until(() -> !ready("aging").isEmpty());
    Instance first = ready("aging").getFirst();
    await()
        .atMost(Duration.ofSeconds(40))
        .untilAsserted(() -> {
          Instance old = instance(first.id());
          assertThat(old.state()).isIn(InstanceState.TERMINATING, InstanceState.TERMINATED);
          assertThat(old.lastError()).contains("idle longer than");
        });
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> ready("aging").stream().anyMatch(i -> !i.id().equals(first.id())));
  }

  @Test
  void whatTheProbeBeforeTheClaimCosts() {
    List<Long> withProbe = new ArrayList<>();
    List<Long> without = new ArrayList<>();
    for (int round = 0; round < 8; round++) {
      withProbe.add(timedAcquire("watched"));
      without.add(timedAcquire("plain"));
    }
    // the raw floor: the probe alone (one GET of a ready instance's health path from this JVM)
    await().atMost(Duration.ofSeconds(90)).until(() -> !ready("plain").isEmpty());
    Instance probed = ready("plain").getFirst();
    List<Long> floor = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      long t0 = System.nanoTime();
      assertThat(
              Http.get("http://127.0.0.1:" + probed.port() + SampleImage.HEALTH_PATH, Map.of())
                  .status())
          .isEqualTo(200);
      floor.add((System.nanoTime() - t0) / 1000);
    }
    String line =
        "BENCH acquire (201, through the gateway) with probe-before-claim: "
            + summary(withProbe)
            + "; without: "
            + summary(without)
            + "; floor (the probe's GET alone): "
            + summary(floor);
    LOG.info(line);
    System.out.println(line);
    assertThat(withProbe).hasSize(8);
  }

  private static long timedAcquire(String template) {
    await().atMost(Duration.ofSeconds(90)).until(() -> !ready(template).isEmpty());
    long t0 = System.nanoTime();
    Visitor.Demo d = visitor.acquire(template);
    long micros = (System.nanoTime() - t0) / 1000;
    visitor.release(d);
    return micros;
  }

  private static String summary(List<Long> micros) {
    List<Long> s = micros.stream().sorted().toList();
    long p50 = s.get((s.size() - 1) / 2);
    long p99 = s.get(s.size() - 1);
    return "p50 " + p50 / 1000.0 + " ms, p99(max of " + s.size() + ") " + p99 / 1000.0 + " ms";
  }
}
