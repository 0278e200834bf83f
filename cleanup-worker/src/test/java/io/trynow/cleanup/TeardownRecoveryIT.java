package io.trynow.cleanup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.trynow.cleanup.config.CleanupConfig;
import io.trynow.model.InstanceState;
import io.trynow.platform.docker.Containers;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.nats.NatsClient;
import io.trynow.platform.state.ClaimResult;
import io.trynow.platform.state.ConsistencyChecker;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.Leases;
import io.trynow.platform.state.Store;
import io.trynow.platform.template.TemplatesConfig;
import io.trynow.testsupport.RealServersResource;
import io.trynow.testsupport.SampleImage;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, part 2: released demos whose teardown requests are lost or held by a dead worker are
 * torn down from Valkey's state within seconds — by the backlog, not by message redelivery, and not
 * by the sweeper (its terminating grace is set out of reach here). Real NATS, Valkey and dockerd.
 */
@QuarkusTest
@TestProfile(TeardownRecoveryIT.NoSweeperTeardown.class)
@WithTestResource(RealServersResource.class)
class TeardownRecoveryIT {

  /** The sweeper leaves terminating instances alone: only the backlog can tear them down. */
  public static class NoSweeperTeardown implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("trynow.cleanup.sweeper.terminating-grace", "10m");
    }
  }

  @Inject Store store;
  @Inject Containers containers;
  @Inject Publisher publisher;
  @Inject NatsClient nats;
  @Inject TemplatesConfig templates;
  @Inject CleanupConfig config;

  private CleanupFixture fx;

  @BeforeAll
  static void image() {
    SampleImage.ensureBuilt();
  }

  @BeforeEach
  void fixture() {
    fx = new CleanupFixture(store, containers, publisher, nats, templates);
  }

  @AfterEach
  void cleanUp() {
    fx.removeAllContainers();
  }

  @Test
  void releasedDemosWithoutARequestOrWithADeadWorkersClaimAreGoneWithinSeconds() {
    String tpl = CleanupFixture.newTemplate();
    List<String> lost = new ArrayList<>();
    List<String> heldByDead = new ArrayList<>();
    Leases dead =
        new Leases(store, InstantSource.system(), "cleanup-worker@dead:1", Duration.ofDays(1));
    for (int i = 0; i < 8; i++) {
      Instance a = fx.assigned(tpl, Duration.ofHours(1));
      assertThat(fx.container(a.id())).isPresent();
      // released in Valkey; the teardown request never arrives (lost, or in a dead worker's hands)
      store.lifecycle().release(a.id(), CleanupFixture.TOKEN);
      if (i % 2 == 0) {
        lost.add(a.id());
      } else {
        assertThat(dead.claimTerminate(a.id(), config.consumer().lease()))
            .isInstanceOf(ClaimResult.Claimed.class);
        heldByDead.add(a.id());
      }
    }
    long released = System.nanoTime();

    await().atMost(Duration.ofSeconds(30)).until(() -> lost.stream().allMatch(this::gone));
    Duration unclaimed = Duration.ofNanos(System.nanoTime() - released);
    await().atMost(Duration.ofSeconds(30)).until(() -> heldByDead.stream().allMatch(this::gone));
    Duration claimed = Duration.ofNanos(System.nanoTime() - released);
    System.out.printf(
        "released -> container gone: unclaimed %d ms, held by a dead worker (lease %s) %d ms%n",
        unclaimed.toMillis(), config.consumer().lease(), claimed.toMillis());
    assertThat(unclaimed).isLessThan(Duration.ofSeconds(10));
    assertThat(claimed).isLessThan(config.consumer().lease().plusSeconds(10));
    assertThat(ConsistencyChecker.check(store)).isEmpty();
  }

  /**
   * Issue 17, part 3: a counter corrupted in the real Valkey (an in-flight slot held by a phantom,
   * an assigned demo missing from its count and its address's slots) is repaired by the running
   * reconciler from the records.
   */
  @Test
  void aCorruptedCountIsRepairedByTheReconcilerFromTheRecords() {
    String tpl = CleanupFixture.newTemplate();
    Instance a = fx.assigned(tpl, Duration.ofHours(1));
    var before = store.poolStats(tpl);
    var valkey = RealServersResource.servers().valkey();
    String b = "{" + store.prefix() + "}:";
    String phantom = io.trynow.model.Ids.newInstanceId();
    valkey.call("SADD", b + "t:" + tpl + ":provisioning", phantom);
    valkey.call("SREM", b + "t:" + tpl + ":assigned", a.id());
    valkey.call("SREM", b + "ip:" + a.clientIp(), a.requestId());
    assertThat(store.poolStats(tpl)).isNotEqualTo(before);

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(store.poolStats(tpl)).isEqualTo(before));
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(ConsistencyChecker.check(store)).isEmpty());
    assertThat(valkey.call("SISMEMBER", b + "ip:" + a.clientIp(), a.requestId())).isEqualTo(1L);
    store.lifecycle().release(a.id(), CleanupFixture.TOKEN);
  }

  private boolean gone(String id) {
    return fx.instance(id).state() == InstanceState.TERMINATED && fx.container(id).isEmpty();
  }
}
