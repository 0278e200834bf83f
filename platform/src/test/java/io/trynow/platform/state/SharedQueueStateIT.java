package io.trynow.platform.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * queue_moves and provision_rate: queue positions and ETA samples live in Valkey, so any replica
 * tells any visitor, each step once, and a restart forgets nothing.
 */
class SharedQueueStateIT extends StoreTestBase {

  @Test
  void eachPositionStepIsHandedToExactlyOneCallerAmongManyReplicas() throws Exception {
    String tpl = template();
    List<AcquireArgs> queued = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      AcquireArgs a = Fixtures.acquireArgs(tpl, "10.0.0." + (i + 1));
      store.requests().acquire(a);
      queued.add(a);
    }
    // acquire already told each its place: nothing moved yet
    assertThat(store.requests().queueMoves(tpl, 100)).isEmpty();

    // two instances become ready: the two oldest are served, the other three move up by two
    handOver(tpl);
    handOver(tpl);

    ConcurrentLinkedQueue<QueueMove> seen = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> calls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        calls.add(pool.submit(() -> seen.addAll(store.requests().queueMoves(tpl, 100))));
      }
      for (Future<?> f : calls) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(seen)
        .containsExactlyInAnyOrder(
            new QueueMove(queued.get(2).requestId(), 1),
            new QueueMove(queued.get(3).requestId(), 2),
            new QueueMove(queued.get(4).requestId(), 3));
    assertThat(store.requests().queueMoves(tpl, 100)).isEmpty();

    // an expiry at the head moves the rest again
    clock.advance(Duration.ofMinutes(10));
    AcquireArgs late = Fixtures.acquireArgs(tpl, "10.0.0.9");
    store.requests().acquire(late);
    assertThat(store.requests().expireWaiting(tpl, Duration.ofMinutes(5), 100)).hasSize(3);
    assertThat(store.requests().queueMoves(tpl, 100))
        .containsExactly(new QueueMove(late.requestId(), 1));
    assertThat(store.request(late.requestId()).orElseThrow().position()).isEqualTo(1);
  }

  /** An instance becomes ready while visitors wait: the oldest gets it. */
  private void handOver(String tpl) {
    Instance s = Fixtures.started(store, tpl);
    assertThat(store.provisioning().markReady(s.id(), null))
        .isInstanceOf(ReadyResult.HandedOver.class);
  }

  @Test
  void aRequestBehindTheScanWindowIsToldOnceItIsInside() {
    String tpl = template();
    List<AcquireArgs> queued = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      AcquireArgs a = Fixtures.acquireArgs(tpl, "10.0.1." + (i + 1));
      store.requests().acquire(a);
      queued.add(a);
    }
    handOver(tpl);
    assertThat(store.requests().queueMoves(tpl, 2))
        .containsExactly(
            new QueueMove(queued.get(1).requestId(), 1),
            new QueueMove(queued.get(2).requestId(), 2));
    assertThat(store.requests().queueMoves(tpl, 3))
        .containsExactly(new QueueMove(queued.get(3).requestId(), 3));
  }

  @Test
  void provisionRateCountsStartsWithinTheWindowForEveryReader() {
    String tpl = template();
    assertThat(store.sizing().provisionRate(tpl, Duration.ofMinutes(1)))
        .isEqualTo(new ProvisionRate(0, 0));
    long first = clock.millis();
    Fixtures.started(store, tpl);
    clock.advance(Duration.ofSeconds(10));
    Fixtures.started(store, tpl);
    clock.advance(Duration.ofSeconds(10));
    Fixtures.started(store, tpl);
    assertThat(store.sizing().provisionRate(tpl, Duration.ofMinutes(1)))
        .isEqualTo(new ProvisionRate(3, first));
    // another client (another replica, or this one restarted) reads the same
    try (Store other = Store.connect(valkey.url(), store.prefix(), clock)) {
      assertThat(other.sizing().provisionRate(tpl, Duration.ofSeconds(15)))
          .isEqualTo(new ProvisionRate(2, first + 10_000));
    }
    clock.advance(Duration.ofMinutes(5));
    assertThat(store.sizing().provisionRate(tpl, Duration.ofMinutes(1)).count()).isZero();
  }
}
