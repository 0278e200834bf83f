package io.trynow.platform.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.model.InstanceState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * place_instance, host_down, host_up: placement by free capacity decided in one call (never
 * overfilled under concurrency), capacity given back when an instance ends, a drained host's
 * instances failed (visitors' requests with them) and the host skipped until re-admitted.
 */
class HostPlacementIT extends StoreTestBase {

  private static final AtomicInteger HOSTS = new AtomicInteger();

  private static String host() {
    return "h" + HOSTS.incrementAndGet();
  }

  @Test
  void instancesGoWhereMostCapacityIsFreeUntilEveryHostIsFull() {
    String tpl = template();
    String a = host();
    String b = host();
    List<HostSlot> slots = List.of(new HostSlot(a, 2), new HostSlot(b, 3));
    List<String> placed = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Instance p = Fixtures.provisioning(store, tpl);
      PlaceResult.Placed r = (PlaceResult.Placed) store.capacity().place(p.id(), p.fence(), slots);
      assertThat(r.repeat()).isFalse();
      placed.add(r.host());
      assertThat(store.instance(p.id()).orElseThrow().host()).isEqualTo(r.host());
      // a repeat answers the same host
      assertThat(store.capacity().place(p.id(), p.fence(), slots))
          .isEqualTo(new PlaceResult.Placed(p.id(), r.host(), true));
    }
    // free capacity decides: b (3 free) first, then the two alternate
    assertThat(placed).containsExactly(b, a, b, a, b);
    Instance extra = Fixtures.provisioning(store, tpl);
    assertThat(store.capacity().place(extra.id(), extra.fence(), slots))
        .isEqualTo(new PlaceResult.Full(extra.id()));

    // an instance that ends gives its slot back
    Instance onA =
        store.instances(InstanceState.PROVISIONING).stream()
            .filter(i -> a.equals(i.host()))
            .findFirst()
            .orElseThrow();
    assertThat(store.provisioning().markFailed(onA.id(), onA.fence(), "test"))
        .isInstanceOf(Changed.class);
    assertThat(store.capacity().place(extra.id(), extra.fence(), slots))
        .isEqualTo(new PlaceResult.Placed(extra.id(), a, false));
    // a stale claim cannot place
    assertThat(store.capacity().place(extra.id(), extra.fence() + 1, slots))
        .isInstanceOf(StaleFence.class);
  }

  @Test
  void concurrentProvisionersNeverOverfillAHost() throws Exception {
    String tpl = template();
    String a = host();
    String b = host();
    List<HostSlot> slots = List.of(new HostSlot(a, 7), new HostSlot(b, 9));
    List<Instance> claims = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      claims.add(Fixtures.provisioning(store, tpl));
    }
    Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    AtomicInteger full = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(12);
    try {
      List<Future<?>> calls = new ArrayList<>();
      for (Instance c : claims) {
        calls.add(
            pool.submit(() -> {
              switch (store.capacity().place(c.id(), c.fence(), slots)) {
                case PlaceResult.Placed p ->
                    counts.computeIfAbsent(p.host(), h -> new AtomicInteger()).incrementAndGet();
                case PlaceResult.Full f -> full.incrementAndGet();
                default -> throw new AssertionError("unexpected");
              }
            }));
      }
      for (Future<?> f : calls) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(counts.get(a).get()).isEqualTo(7);
    assertThat(counts.get(b).get()).isEqualTo(9);
    assertThat(full.get()).isEqualTo(14);
  }

  @Test
  void aDrainedHostsInstancesFailItIsSkippedAndReadmittedWhenUp() {
    String tpl = template();
    String a = host();
    String b = host();
    List<HostSlot> onlyA = List.of(new HostSlot(a, 10));
    List<HostSlot> both = List.of(new HostSlot(a, 10), new HostSlot(b, 1));

    // an assigned instance on a (its visitor's request fails with it) and a provisioning one
    Instance p1 = Fixtures.provisioning(store, tpl);
    store.capacity().place(p1.id(), p1.fence(), onlyA);
    store.provisioning().markStarted(p1.id(), p1.fence(), "trynow-" + p1.id());
    store.provisioning().markReady(p1.id(), null);
    AcquireArgs visitor = Fixtures.acquireArgs(tpl, "10.0.0.3");
    Instance assigned = ((AcquireResult.Assigned) store.requests().acquire(visitor)).instance();
    assertThat(assigned.host()).isEqualTo(a);
    Instance p2 = Fixtures.provisioning(store, tpl);
    store.capacity().place(p2.id(), p2.fence(), onlyA);

    HostDrain drain = store.capacity().hostDown(a, "host a stopped answering");
    assertThat(drain.newly()).isTrue();
    assertThat(drain.instances())
        .extracting(Instance::id, Instance::state)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(p1.id(), InstanceState.FAILED),
            org.assertj.core.groups.Tuple.tuple(p2.id(), InstanceState.FAILED));
    assertThat(store.request(visitor.requestId()).orElseThrow().state())
        .isEqualTo(RequestState.FAILED);
    assertThat(store.capacity().hostDown(a, "again").instances()).isEmpty();
    assertThat(store.capacity().hostsDown()).containsOnlyKeys(a);

    // placement skips it; with only it as a candidate nothing fits
    Instance p3 = Fixtures.provisioning(store, tpl);
    assertThat(store.capacity().place(p3.id(), p3.fence(), both))
        .isEqualTo(new PlaceResult.Placed(p3.id(), b, false));
    Instance p4 = Fixtures.provisioning(store, tpl);
    assertThat(store.capacity().place(p4.id(), p4.fence(), both))
        .isEqualTo(new PlaceResult.Full(p4.id()));

    assertThat(store.capacity().hostUp(a)).isTrue();
    assertThat(store.capacity().hostUp(a)).isFalse();
    assertThat(store.capacity().hostsDown()).doesNotContainKey(a);
    assertThat(store.capacity().place(p4.id(), p4.fence(), both))
        .isEqualTo(new PlaceResult.Placed(p4.id(), a, false));
  }
}
