package io.trynow.platform.state;

import static io.trynow.platform.state.Fixtures.acquireArgs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.trynow.model.Ids;
import io.trynow.model.InstanceState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** pool_target.lua and its hooks in acquire, mark_ready and reserve_provision, on real Valkey. */
class PoolTargetIT extends StoreTestBase {

  static final Duration WINDOW = Duration.ofSeconds(10);

  @Test
  void acquiresAreCountedAndFoldedIntoTheRate() {
    String tpl = template();
    Fixtures.ready(store, tpl);
    store.sizing().observeDemand(tpl, WINDOW); // first fold: starts the estimate
    store.requests().acquire(acquireArgs(tpl, "10.0.0.1")); // warm
    for (int i = 0; i < 9; i++) {
      store.requests().acquire(acquireArgs(tpl, "10.0.0." + (2 + i))); // queued
    }
    clock.advance(Duration.ofSeconds(1));
    PoolDemand d = store.sizing().observeDemand(tpl, WINDOW);
    assertThat(d.arrivals()).isEqualTo(10);
    assertThat(d.warm()).isEqualTo(1);
    // 10 arrivals in 1 s, window 10 s: 10/s * (1 - e^-0.1)
    assertThat(d.ratePerSecond()).isCloseTo(10 * (1 - Math.exp(-0.1)), within(1e-4));
    assertThat(d.hitRate()).isCloseTo(0.1, within(1e-4));

    // nothing more arrives: the rate decays by e^(-dt/window), however the folds are spaced
    clock.advance(Duration.ofSeconds(5));
    double once = store.sizing().observeDemand(tpl, WINDOW).ratePerSecond();
    assertThat(once).isCloseTo(d.ratePerSecond() * Math.exp(-0.5), within(1e-4));
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(1));
      store.sizing().observeDemand(tpl, WINDOW);
    }
    assertThat(store.sizing().poolDemand(tpl).ratePerSecond())
        .isCloseTo(d.ratePerSecond() * Math.exp(-1.0), within(1e-4));
  }

  @Test
  void theBurstRateFollowsItsShorterWindow() {
    String tpl = template();
    Duration burst = Duration.ofSeconds(2);
    store.sizing().observeDemand(tpl, WINDOW, burst);
    for (int i = 0; i < 4; i++) {
      store.requests().acquire(acquireArgs(tpl, "10.0.1." + (1 + i)));
    }
    clock.advance(Duration.ofSeconds(1));
    PoolDemand d = store.sizing().observeDemand(tpl, WINDOW, burst);
    // 4 arrivals in 1 s: 4/s * (1 - e^(-dt/tau)) for each window
    assertThat(d.ratePerSecond()).isCloseTo(4 * (1 - Math.exp(-0.1)), within(1e-4));
    assertThat(d.burstRatePerSecond()).isCloseTo(4 * (1 - Math.exp(-0.5)), within(1e-4));
    // one window only: the burst rate is the rate
    String one = template();
    store.sizing().observeDemand(one, WINDOW);
    store.requests().acquire(acquireArgs(one, "10.0.2.1"));
    clock.advance(Duration.ofSeconds(1));
    PoolDemand o = store.sizing().observeDemand(one, WINDOW);
    assertThat(o.burstRatePerSecond()).isCloseTo(o.ratePerSecond(), within(1e-6)).isPositive();
  }

  @Test
  void aRepeatedAcquireIsNotASecondArrival() {
    String tpl = template();
    AcquireArgs a = acquireArgs(tpl, "10.0.0.1");
    store.requests().acquire(a);
    store.requests().acquire(a);
    assertThat(store.sizing().poolDemand(tpl).arrivals()).isEqualTo(1);
  }

  @Test
  void markReadyRecordsTheProvisioningTime() {
    String tpl = template();
    Instance s = Fixtures.started(store, tpl);
    clock.advance(Duration.ofMillis(1234));
    store.provisioning().markReady(s.id(), null);
    store.provisioning().markReady(s.id(), null); // a repeat adds nothing
    assertThat(store.sizing().poolDemand(tpl).provisionTimesMs()).containsExactly(1234L);
  }

  @Test
  void reserveProvisionKeepsTheStoredTargetReady() {
    String tpl = template();
    PoolDemand d = store.sizing().observeDemand(tpl, WINDOW);
    assertThat(store.sizing().setPoolTarget(d, 5, 2000, true, 0, 5, 0)).isTrue();
    List<String> created = store.sizing().reserveProvision(args(tpl, 2, 20, 20, 10)).created();
    assertThat(created).hasSize(5);
    // the budget still caps it
    String other = template();
    store
        .sizing()
        .setPoolTarget(store.sizing().observeDemand(other, WINDOW), 50, 2000, true, 0, 50, 0);
    assertThat(store.sizing().reserveProvision(args(other, 0, 3, 20, 10)).created()).hasSize(3);
    // target 0 again: min-ready rules
    String third = template();
    store.sizing().setPoolTarget(store.sizing().observeDemand(third, WINDOW), 0, 0, false, 0, 0, 0);
    assertThat(store.sizing().reserveProvision(args(third, 1, 20, 20, 10)).created()).hasSize(1);
  }

  @Test
  void aTargetComputedFromAnOlderFoldLoses() {
    String tpl = template();
    PoolDemand first = store.sizing().observeDemand(tpl, WINDOW);
    clock.advance(Duration.ofSeconds(1));
    PoolDemand second = store.sizing().observeDemand(tpl, WINDOW);
    assertThat(store.sizing().setPoolTarget(first, 9, 1000, true, 0, 9, 0)).isFalse();
    assertThat(store.sizing().setPoolTarget(second, 4, 1000, true, 0, 4, 0)).isTrue();
    assertThat(store.sizing().setPoolTarget(second, 7, 1000, true, 0, 7, 0))
        .isFalse(); // version moved on
    PoolDemand now = store.sizing().poolDemand(tpl);
    assertThat(now.target()).isEqualTo(4);
    assertThat(now.refillMs()).isEqualTo(1000);
    assertThat(now.movedAtMs()).isEqualTo(clock.millis());
  }

  @Test
  void theTargetIsStoredWithWhatItWasComputedFrom() {
    String tpl = template();
    PoolDemand d = store.sizing().observeDemand(tpl, WINDOW);
    assertThat(store.sizing().setPoolTarget(d, 6, 3500, true, 0.8125, 7, 500)).isTrue();
    PoolDemand now = store.sizing().poolDemand(tpl);
    assertThat(now.target()).isEqualTo(6);
    assertThat(now.refillMs()).isEqualTo(3500);
    assertThat(now.sizingRatePerSecond()).isCloseTo(0.8125, within(1e-6));
    assertThat(now.rawTarget()).isEqualTo(7);
    assertThat(now.slotWaitMs()).isEqualTo(500);
    // a bad rate is refused before anything is written
    PoolDemand later = store.sizing().poolDemand(tpl);
    assertThatThrownBy(() -> store.sizing().setPoolTarget(later, 5, 3000, true, Double.NaN, 5, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(store.sizing().poolDemand(tpl).version()).isEqualTo(later.version());
  }

  @Test
  void surplusIsRetiredOneStepAtATime() {
    String tpl = template();
    for (int i = 0; i < 4; i++) {
      Fixtures.ready(store, tpl);
    }
    Duration gap = Duration.ofSeconds(30);
    List<Instance> first = store.sizing().retireSurplus(tpl, 1, 1, gap, "surplus");
    assertThat(first).hasSize(1);
    assertThat(first.getFirst().state()).isEqualTo(InstanceState.TERMINATING);
    assertThat(store.sizing().retireSurplus(tpl, 1, 1, gap, "surplus")).isEmpty(); // within the gap
    clock.advance(gap);
    assertThat(store.sizing().retireSurplus(tpl, 1, 5, gap, "surplus")).hasSize(2); // down to keep
    clock.advance(gap);
    assertThat(store.sizing().retireSurplus(tpl, 1, 5, gap, "surplus")).isEmpty();
    assertThat(store.poolStats(tpl).ready()).isEqualTo(1);
    assertThat(store.poolStats(tpl).terminating()).isEqualTo(3);
  }

  @Test
  void badArgumentsAreRejectedBeforeAnyWrite() {
    String tpl = template();
    PoolDemand d = store.sizing().observeDemand(tpl, WINDOW);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> store.sizing().setPoolTarget(d, -1, 0, false, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> store.sizing().observeDemand("Bad Name", WINDOW))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(store.sizing().poolDemand(tpl).version()).isEqualTo(d.version());
  }

  private static ReserveArgs args(String tpl, int minReady, int maxTotal, int inFlight, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(Ids.newInstanceId());
    }
    return new ReserveArgs(tpl, minReady, maxTotal, inFlight, ids);
  }
}
