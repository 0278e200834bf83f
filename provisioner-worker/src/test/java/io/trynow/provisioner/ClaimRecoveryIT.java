package io.trynow.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trynow.model.InstanceState;
import io.trynow.platform.docker.Containers;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.nats.NatsClient;
import io.trynow.platform.state.ClaimResult;
import io.trynow.platform.state.ConsistencyChecker;
import io.trynow.platform.state.Leases;
import io.trynow.platform.state.Store;
import io.trynow.provisioner.config.ProvisionerConfig;
import io.trynow.testsupport.RealServersResource;
import io.trynow.testsupport.SampleImage;
import io.trynow.testsupport.ValkeyServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, part 1: provisioning claims that die with their holder die quickly, and a worker knows
 * its own claims (real NATS, Valkey and dockerd; the test profile's lease is 3 s).
 */
@QuarkusTest
@WithTestResource(RealServersResource.class)
@WithTestResource(ClaimRecoveryIT.RetryBudget.class)
class ClaimRecoveryIT {

  /**
   * Enough deliveries to outlast the Valkey outage below: the test profile's 200 ms, 500 ms, 1 s
   * backoff and 4 deliveries give up after about 2 s, so on a fast machine a 3 s outage
   * dead-lettered the requests before Valkey was back (production's 1 s, 5 s, 15 s, 30 s and 5
   * deliveries outlast it). The same budget as ProvisionerDockerOutageIT's engine outage.
   */
  public static class RetryBudget implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
      return Map.of(
          "trynow.provisioner.consumer.max-deliver", "60",
          "trynow.provisioner.consumer.backoff", "300ms");
    }

    @Override
    public void stop() {}
  }

  private static final Duration WAIT = Duration.ofSeconds(45);

  @Inject Store store;
  @Inject Leases leases;
  @Inject Publisher publisher;
  @Inject Containers containers;
  @Inject NatsClient nats;
  @Inject ProvisionerConfig config;

  private ProvisionFixture fx;

  @BeforeAll
  static void image() {
    SampleImage.ensureBuilt();
  }

  @BeforeEach
  void fixture() {
    fx = new ProvisionFixture(store, publisher, containers, nats);
  }

  @AfterEach
  void cleanUp() {
    valkey().start(); // no-op when running
    fx.removeAllContainers();
  }

  private static ValkeyServer valkey() {
    return RealServersResource.servers().valkey();
  }

  /**
   * A dead worker's claims on every in-flight slot (max-in-flight = the consumer's concurrency):
   * nobody renews them, so they lapse within one lease and the requests are provisioned here — not
   * after the old health-timeout + margin (90 s).
   */
  @Test
  void claimsOfAWorkerThatStoppedRenewingAreTakenOverWithinSeconds() {
    Leases dead =
        new Leases(store, InstantSource.system(), "dead-worker@gone:1", Duration.ofDays(1));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < config.consumer().concurrency(); i++) {
      String id = fx.requested("hello");
      assertThat(dead.claimProvision(id, config.lease())).isInstanceOf(ClaimResult.Claimed.class);
      ids.add(id);
    }
    long start = System.nanoTime();
    ids.forEach(id -> fx.publish(id, "hello", id));

    await()
        .atMost(WAIT)
        .until(() -> ids.stream().allMatch(id -> fx.instance(id).state() == InstanceState.STARTED));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    System.out.printf(
        "dead worker's %d claims (lease %s): all started %d ms after the requests%n",
        ids.size(), config.lease(), took.toMillis());
    // lease + busy retry + a provision each, on a loaded machine: well under the old 90 s
    assertThat(took).isLessThan(config.lease().plusSeconds(20));
    ids.forEach(id -> assertThat(fx.containersOf(id)).hasSize(1));
    ids.forEach(id ->
        assertThat(
                String.valueOf(
                    valkey().call("HGET", "{" + store.prefix() + "}:i:" + id, "claimed_by")))
            .isEqualTo(leases.worker()));
  }

  /**
   * The Valkey outage: an attempt of this worker failed and could not hand its claim back
   * (Valkey was down), so its unexpired lease is still in Valkey, in this worker's name. The retry
   * is not "being provisioned by another worker": the worker takes its own claim again at once.
   */
  @Test
  void aWorkerTakesItsOwnClaimAgainAtOnce() {
    String id = fx.requested("hello");
    long old = ((ClaimResult.Claimed) leases.claimProvision(id, Duration.ofMinutes(5))).fence();

    fx.publish(id, "hello", id);

    await().atMost(WAIT).until(() -> fx.instance(id).state() == InstanceState.STARTED);
    assertThat(fx.instance(id).fence()).isGreaterThan(old);
    assertThat(fx.containersOf(id)).hasSize(1);
  }

  /**
   * A real Valkey outage of a few seconds while provisions run: every instance ends started, with
   * one container each, soon after Valkey is back — the worker retries its own claims cleanly.
   */
  @Test
  void aValkeyOutageOfAFewSecondsMidProvisionEndsWithEveryInstanceStarted() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(fx.requested("hello"));
    }
    ids.forEach(id -> fx.publish(id, "hello", id));
    // mid-provision: as soon as the first container exists
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> ids.stream().anyMatch(id -> !fx.containersOf(id).isEmpty()));
    valkey().stop();
    LockSupport.parkNanos(Duration.ofSeconds(3).toNanos()); // the outage itself
    valkey().start();
    long restored = System.nanoTime();

    await()
        .atMost(WAIT)
        .until(() -> ids.stream().allMatch(id -> fx.instance(id).state() == InstanceState.STARTED));
    Duration took = Duration.ofNanos(System.nanoTime() - restored);
    System.out.printf(
        "valkey outage of 3 s: all started %d ms after the restore%n", took.toMillis());
    assertThat(took).isLessThan(Duration.ofSeconds(20));
    ids.forEach(id -> assertThat(fx.containersOf(id)).hasSize(1));
    assertThat(ConsistencyChecker.check(store)).isEmpty();
  }
}
