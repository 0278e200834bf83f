package io.trynow.platform.state;

import static io.trynow.platform.state.Fixtures.LEASE;
import static io.trynow.platform.state.Fixtures.TOKEN;
import static io.trynow.platform.state.Fixtures.TTL;
import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.model.Ids;
import io.trynow.model.InstanceState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * One test per race the store makes impossible because a state change is one transition: each
 * hammers the same keys from many threads and then checks that the race did not happen.
 */
class StoreRacesIT extends StoreTestBase {

  private static final int THREADS = 32;

  /**
   * State sets move in step: read-modify-write from application code left ids in two state sets, or
   * none.
   */
  @Test
  void C1_concurrentTransitionsNeverLeaveAnIdInTwoStateSets() {
    String tpl = template();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ids.add(Fixtures.ready(store, tpl).id());
    }
    Hammer.run(
        THREADS,
        40,
        (t, i) -> {
          String id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
          switch (ThreadLocalRandom.current().nextInt(6)) {
            case 0 -> store.requests().acquire(Fixtures.acquireArgs(tpl, "10.0.0." + t));
            case 1 -> store.lifecycle().forceTerminate(id, "admin");
            case 2 -> store.provisioning().markFailed(id, "container died");
            case 3 -> store.lifecycle().release(id, TOKEN);
            case 4 -> store.provisioning().markReady(id, null);
            default -> {
              if (store.claims().claimTerminate(id, LEASE) instanceof ClaimResult.Claimed c) {
                store.lifecycle().markTerminated(id, c.fence());
              }
            }
          }
        });
    Map<String, Integer> setsHolding = new HashMap<>();
    for (InstanceState s : InstanceState.values()) {
      if (s.isLive()) {
        store.ids(s).forEach(id -> setsHolding.merge(id, 1, Integer::sum));
      }
    }
    for (String id : ids) {
      Instance i = store.instance(id).orElseThrow();
      assertThat(setsHolding.getOrDefault(id, 0)).as(id).isEqualTo(i.state().isLive() ? 1 : 0);
      if (i.state().isLive()) {
        assertThat(store.ids(i.state())).contains(id);
      }
    }
    assertThat(ConsistencyChecker.check(store)).isEmpty();
  }

  /**
   * No lost instances: LPOP then a separate update lost instances that were popped but never
   * assigned.
   */
  @Test
  void C2_acquireIsOnePopAndAssignSoNoInstanceIsLost() {
    String tpl = template();
    for (int i = 0; i < 20; i++) {
      Fixtures.ready(store, tpl);
    }
    Map<String, String> holderOf = new ConcurrentHashMap<>();
    AtomicInteger queued = new AtomicInteger();
    Hammer.run(
        THREADS,
        2,
        (t, i) -> {
          AcquireArgs a = Fixtures.acquireArgs(tpl, "10.0.1." + t);
          switch (store.requests().acquire(a)) {
            case AcquireResult.Assigned as ->
                assertThat(holderOf.put(as.instance().id(), a.requestId())).isNull();
            case AcquireResult.Queued q -> queued.incrementAndGet();
            default -> throw new AssertionError("unexpected");
          }
        });
    assertThat(holderOf).hasSize(20);
    assertThat(queued).hasValue(2 * THREADS - 20);
    PoolStats s = store.poolStats(tpl);
    assertThat(s.ready()).isZero();
    assertThat(s.assigned()).isEqualTo(20);
    assertThat(s.waiting()).isEqualTo(2 * THREADS - 20);
    holderOf.forEach((id, rid) -> {
      assertThat(store.instance(id).orElseThrow().requestId()).isEqualTo(rid);
      assertThat(store.request(rid).orElseThrow().instanceId()).isEqualTo(id);
    });
  }

  /** Rate limits are exact: check, then increment later, let concurrent requests past the limit. */
  @Test
  void H4_rateLimitAdmitsExactlyTheLimitAmongConcurrentCallersFromOneIp() {
    AtomicInteger allowed = new AtomicInteger();
    AtomicInteger limited = new AtomicInteger();
    Hammer.run(
        64,
        20,
        (t, i) -> {
          if (store.limits().rateLimit("203.0.113.50", Ids.newRequestId(), 50, 1000)
              instanceof RateLimitResult.Allowed) {
            allowed.incrementAndGet();
          } else {
            limited.incrementAndGet();
          }
        });
    assertThat(allowed).hasValue(50);
    assertThat(limited).hasValue(64 * 20 - 50);
    assertThat(store.limits().rateLimit("203.0.113.50", null, 51, 1000))
        .isInstanceOf(RateLimitResult.Allowed.class);
  }

  /** No over-provisioning: replenishers working from a stale count provisioned past the target. */
  @Test
  void H5_concurrentReservesNeverProvisionPastTheTarget() {
    String tpl = template();
    Set<String> created = ConcurrentHashMap.newKeySet();
    Runnable reserveStorm =
        () ->
            Hammer.run(
                THREADS,
                10,
                (t, i) ->
                    created.addAll(
                        store
                            .sizing()
                            .reserveProvision(
                                new ReserveArgs(
                                    tpl,
                                    5,
                                    8,
                                    6,
                                    List.of(
                                        Ids.newInstanceId(),
                                        Ids.newInstanceId(),
                                        Ids.newInstanceId())))
                            .created()));
    reserveStorm.run();
    assertThat(created).hasSize(5);
    assertThat(store.poolStats(tpl).requested()).isEqualTo(5);

    for (int i = 0; i < 10; i++) {
      store.requests().acquire(Fixtures.acquireArgs(tpl, "10.0.2." + i));
    }
    reserveStorm.run();
    assertThat(created).hasSize(6); // demand 15, but at most 6 in flight
    assertThat(ConsistencyChecker.check(store, Map.of(tpl, 6))).isEmpty();
  }

  /**
   * Extensions stay under the max lifetime: check-then-extend let concurrent extensions pass the
   * max lifetime.
   */
  @Test
  void H6_concurrentExtendsNeverPassTheMaxLifetime() {
    Instance i = Fixtures.assigned(store, template());
    AtomicInteger extendedUncapped = new AtomicInteger();
    Hammer.run(
        THREADS,
        10,
        (t, n) -> {
          switch (store.lifecycle().extend(i.id(), TOKEN, Duration.ofMinutes(7))) {
            case ExtendResult.Extended e -> {
              assertThat(e.instance().expiresAt()).isBeforeOrEqualTo(i.maxExpiresAt());
              if (!e.capped()) {
                extendedUncapped.incrementAndGet();
              }
            }
            case ExtendResult.PastMaxLifetime p -> {}
            default -> throw new AssertionError("unexpected");
          }
        });
    Instance after = store.instance(i.id()).orElseThrow();
    assertThat(after.expiresAt()).isEqualTo(i.maxExpiresAt());
    // 15 min TTL + 15 steps of 7 min reach the 2 h cap exactly: 15 uncapped extensions, no more
    assertThat(extendedUncapped.get())
        .isEqualTo((int) (Duration.between(i.expiresAt(), i.maxExpiresAt()).toMinutes() / 7));
  }

  /** No port leaks: a port allocated before a failure was never given back. */
  @Test
  void H7_everyFailurePathGivesThePortBack() {
    Store small = Store.connect(valkey.url(), Fixtures.prefix("h7"), clock);
    try {
      small.capacity().initPorts(23000, 23004);
      String tpl = template();
      Hammer.run(
          8,
          40,
          (t, n) -> {
            String id = reserveOne(small, tpl);
            if (id == null) {
              return;
            }
            ClaimResult claim = small.claims().claimProvision(id, LEASE);
            if (!(claim instanceof ClaimResult.Claimed c)) {
              return;
            }
            if (!(small.provisioning().allocatePort(id, c.fence())
                instanceof PortResult.Allocated)) {
              small.provisioning().markFailed(id, c.fence(), "no port");
              return;
            }
            switch (n % 5) {
              case 0 -> small.provisioning().markFailed(id, c.fence(), "container create failed");
              case 1 -> {
                small.provisioning().markStarted(id, c.fence(), "trynow-" + id);
                small.provisioning().markFailed(id, "route failed");
              }
              case 2 -> {
                small.provisioning().markStarted(id, c.fence(), "trynow-" + id);
                small.provisioning().markReady(id, null);
                small.lifecycle().forceTerminate(id, "admin");
                if (small.claims().claimTerminate(id, LEASE) instanceof ClaimResult.Claimed tc) {
                  small.lifecycle().markTerminated(id, tc.fence());
                }
              }
              case 3 -> small.lifecycle().forceTerminate(id, "admin while provisioning");
              default -> {
                small.provisioning().markStarted(id, c.fence(), "trynow-" + id);
                small.provisioning().markReady(id, null);
                AcquireArgs a = Fixtures.acquireArgs(tpl, "10.0.3." + t);
                if (small.requests().acquire(a) instanceof AcquireResult.Assigned as) {
                  small.provisioning().markFailed(as.instance().id(), "container died");
                }
              }
            }
          });
      // whatever is still live is torn down; then every port is free again
      for (InstanceState s : InstanceState.values()) {
        if (s.isLive() && s != InstanceState.TERMINATING) {
          small.ids(s).forEach(id -> small.lifecycle().forceTerminate(id, "test end"));
        }
      }
      for (String id : small.ids(InstanceState.TERMINATING)) {
        ClaimResult.Claimed c = (ClaimResult.Claimed) small.claims().claimTerminate(id, LEASE);
        small.lifecycle().markTerminated(id, c.fence());
      }
      Capacity.PortPool ports = small.capacity().initPorts(23000, 23004);
      assertThat(ports.free()).isEqualTo(5);
      assertThat(ports.used()).isZero();
      assertThat(ConsistencyChecker.check(small)).isEmpty();
    } finally {
      small.close();
    }
  }

  /**
   * An acquire and its expiry are one transition: the TTL was set by a second call that could fail,
   * leaving demos forever.
   */
  @Test
  void M12_everyAssignedInstanceHasAnExpiryFromTheSameCall() {
    String tpl = template();
    List<String> started = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 16; i++) {
      started.add(Fixtures.started(store, tpl).id());
    }
    Hammer.run(
        THREADS,
        1,
        (t, n) -> {
          if (t % 2 == 0) {
            store.requests().acquire(Fixtures.acquireArgs(tpl, "10.0.4." + t));
          } else {
            store.provisioning().markReady(started.get(t / 2), null);
          }
        });
    List<Instance> assigned = store.instances(InstanceState.ASSIGNED);
    assertThat(assigned).isNotEmpty();
    for (Instance i : assigned) {
      assertThat(i.expiresAt()).isEqualTo(i.assignedAt().plus(TTL));
      assertThat(i.maxExpiresAt()).isNotNull();
    }
    clock.advance(TTL);
    List<Instance> reaped = new ArrayList<>(store.claims().claimExpired(1000, LEASE));
    assertThat(reaped)
        .extracting(Instance::id)
        .containsExactlyInAnyOrderElementsOf(assigned.stream().map(Instance::id).toList());
    assertThat(store.ids(InstanceState.ASSIGNED)).isEmpty();
  }

  /** Versioned, field-wise writes: writing the whole record back overwrote concurrent changes. */
  @Test
  void M14_concurrentPartialUpdatesAreNeverLost() {
    Instance i = ((AcquireResult.Assigned) readyThenAcquire(template(), "192.0.2.99")).instance();
    assertThat(i.clientIp()).isEqualTo("192.0.2.99");
    AtomicInteger extended = new AtomicInteger();
    Hammer.run(
        THREADS,
        25,
        (t, n) -> {
          if (t % 4 == 0) {
            store
                .provisioning()
                .markReady(i.id(), null); // a wrong-state writer: must change nothing
            store.claims().claimExpired(10, LEASE); // nothing expired: must change nothing
          } else if (store.lifecycle().extend(i.id(), TOKEN, Duration.ofMillis(1))
              instanceof ExtendResult.Extended) {
            extended.incrementAndGet();
          }
        });
    Instance after = store.instance(i.id()).orElseThrow();
    assertThat(extended).hasValue(THREADS * 25 * 3 / 4);
    assertThat(after.expiresAt()).isEqualTo(i.expiresAt().plusMillis(extended.get()));
    assertThat(after.version()).isEqualTo(i.version() + extended.get());
    assertThat(after.clientIp()).isEqualTo("192.0.2.99");
    assertThat(after.requestId()).isEqualTo(i.requestId());
  }

  private AcquireResult readyThenAcquire(String tpl, String ip) {
    Fixtures.ready(store, tpl);
    return store.requests().acquire(Fixtures.acquireArgs(tpl, ip));
  }

  private static String reserveOne(Store s, String tpl) {
    List<String> c =
        s.sizing()
            .reserveProvision(new ReserveArgs(tpl, 100, 100, 100, List.of(Ids.newInstanceId())))
            .created();
    return c.isEmpty() ? null : c.getFirst();
  }
}
