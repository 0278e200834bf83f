package io.trynow.pool.sizing;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.trynow.model.Ids;
import io.trynow.platform.messaging.InstanceEvents;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.state.AcquireArgs;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.PoolDemand;
import io.trynow.platform.state.ReserveArgs;
import io.trynow.platform.state.Store;
import io.trynow.platform.template.TemplatesConfig.Template;
import io.trynow.platform.testing.Pools;
import io.trynow.pool.PoolMetrics;
import io.trynow.pool.config.PoolSettings;
import io.trynow.pool.replenish.Replenisher;
import io.trynow.testsupport.RealServersResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ready target from a service level, on real Valkey and NATS: a synthetic arrival rate raises
 * it, a quiet period lowers it one step at a time and retires the surplus, and two pool replicas
 * (two PoolTargets on their own store connections) agree at every step. The replicas run on a test
 * clock under a template name the service's own loop does not know ({@code slo-it<n>}, with the
 * settings of the {@code slo} template: 90 % warm, window 20 s, refill estimate 2 s, step 2 s).
 */
@QuarkusTest
@WithTestResource(RealServersResource.class)
class PoolTargetsIT {

  private static final AtomicLong NAMES = new AtomicLong();

  @Inject PoolSettings settings;
  @Inject Replenisher replenisher;
  @Inject Publisher publisher;
  @Inject InstanceEvents events;
  @Inject PoolMetrics metrics;

  final AtomicLong millis = new AtomicLong(Instant.parse("2026-11-30T10:00:00Z").toEpochMilli());
  final InstantSource clock = () -> Instant.ofEpochMilli(millis.get());
  Store one;
  Store two;
  PoolTargets replicaOne;
  PoolTargets replicaTwo;
  Template tpl;
  String tplName;

  @BeforeEach
  void replicas() {
    String url = RealServersResource.servers().valkey().url();
    one = Store.connect(url, RealServersResource.prefix(), clock);
    two = Store.connect(url, RealServersResource.prefix(), clock);
    one.capacity().initPorts(40000, 40999);
    replicaOne = new PoolTargets(one, settings, replenisher, publisher, events, metrics, clock);
    replicaTwo = new PoolTargets(two, settings, replenisher, publisher, events, metrics, clock);
    tpl = settings.template("slo").orElseThrow();
    tplName = "slo-it" + NAMES.incrementAndGet();
  }

  @AfterEach
  void close() {
    one.close();
    two.close();
  }

  @Test
  void arrivalsRaiseTheTargetQuietLowersItAndTwoReplicasAgree() throws Exception {
    assertThat(tick()).isEqualTo(tpl.minReady());

    // 2 arrivals/s for 60 s (alternating replicas' connections, as two gateways would)
    int peak = 0;
    for (int s = 0; s < 60; s++) {
      one.requests().acquire(arrival());
      two.requests().acquire(arrival());
      millis.addAndGet(1000);
      peak = Math.max(peak, tick());
    }
    // λ ≈ 2/s over a refill of 2 s: P(Poisson(4) <= 7) = 0.949 >= 0.9 > P(<= 6): S = 8
    assertThat(peak).isBetween(7, 9);
    PoolDemand d = one.sizing().poolDemand(tplName);
    assertThat(d.target()).isEqualTo(peak);
    assertThat(d.ratePerSecond()).isBetween(1.7, 2.3);
    assertThat(d.arrivals()).isEqualTo(120);

    // the waits timed out; both replicas' replenishers reserve at once, twice each: together
    // exactly the target, never more (reserve_provision reads it in the same atomic call)
    assertThat(one.requests().expireWaiting(tplName, Duration.ofMillis(1), 1000)).hasSize(120);
    List<String> created = Collections.synchronizedList(new ArrayList<>());
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (Store s : List.of(one, two, one, two)) {
        pool.submit(() -> created.addAll(s.sizing().reserveProvision(reserve()).created()));
      }
    }
    assertThat(created).hasSize(peak);
    // provisioner and proxy-sync's work: the reserved instances become ready
    for (String id : created) {
      Instance started = Pools.started(one, id);
      one.provisioning().markReady(started.id(), Pools.url(started.id()));
    }
    assertThat(one.poolStats(tplName).ready()).isEqualTo(peak);

    // quiet: the target falls by at most one per step down to min-ready; surplus is retired
    int last = peak;
    for (int s = 0; s < 120; s++) {
      millis.addAndGet(1000);
      int t = tick();
      assertThat(last - t).as("one step at a time").isBetween(0, 1);
      last = t;
    }
    assertThat(last).isEqualTo(tpl.minReady());
    assertThat(one.poolStats(tplName).ready()).isEqualTo(tpl.minReady());
    assertThat(one.poolStats(tplName).terminating()).isEqualTo(peak - tpl.minReady());
  }

  @Test
  void replicasRacingOnTheSameEstimateStoreOneTarget() throws Exception {
    for (int s = 0; s < 30; s++) {
      one.requests().acquire(arrival());
      one.requests().acquire(arrival());
      one.requests().acquire(arrival());
      millis.addAndGet(1000);
      List<Integer> seen = new ArrayList<>();
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          PoolTargets r = i % 2 == 0 ? replicaOne : replicaTwo;
          fs.add(pool.submit(() -> r.update(tplName, tpl)));
        }
        for (Future<Integer> f : fs) {
          seen.add(f.get());
        }
      }
      // every racer computed from the same fold at the same instant: one answer, stored
      assertThat(seen).as("second " + s).containsOnly(one.sizing().poolDemand(tplName).target());
    }
    assertThat(one.sizing().poolDemand(tplName).target()).isGreaterThan(tpl.minReady());
  }

  @Test
  void theServiceShowsItsTargetAndEstimateAsMetrics() {
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() ->
            assertThat(RestAssured.get("/q/metrics").asString())
                .contains("trynow_pool_target{template=\"slo\"}")
                .contains("trynow_pool_arrival_rate{template=\"slo\"}")
                .contains("trynow_pool_refill_seconds{template=\"slo\"} 2.0")
                .contains("trynow_pool_hit_rate{template=\"slo\"}"));
  }

  /** Both replicas update at the same instant; they must agree. Returns the target. */
  private int tick() {
    int a = replicaOne.update(tplName, tpl);
    int b = replicaTwo.update(tplName, tpl);
    assertThat(b).as("replicas agree").isEqualTo(a);
    assertThat(one.sizing().poolDemand(tplName).target()).isEqualTo(a);
    return a;
  }

  private ReserveArgs reserve() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      ids.add(Ids.newInstanceId());
    }
    return new ReserveArgs(tplName, tpl.minReady(), tpl.maxTotal(), 100, ids);
  }

  private AcquireArgs arrival() {
    return new AcquireArgs(
        Ids.newRequestId(),
        tplName,
        "0123456789abcdef0123456789abcdef",
        "10.9.0." + (1 + (int) (Math.random() * 200)),
        Duration.ofMinutes(15),
        Duration.ofHours(2),
        100_000,
        0);
  }
}
