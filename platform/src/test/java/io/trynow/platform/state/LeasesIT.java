package io.trynow.platform.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trynow.model.InstanceState;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Claims that name their worker: own-claim recognition, release at (re)start, short leases kept by
 * the heartbeat and lost by a worker that stops renewing (real Valkey; time from the test clock,
 * except for the heartbeat test, which runs on the system clock).
 */
class LeasesIT extends StoreTestBase {

  static final Duration SHORT = Duration.ofSeconds(3);

  private Leases as(String worker) {
    return new Leases(store, clock, worker, Duration.ofHours(1));
  }

  @Test
  void aWorkerTakesItsOwnUnexpiredClaimAgainAnotherWorkerWaits() {
    String id = Fixtures.requested(store, template());
    Leases a = as("provisioner-worker@h1:8082");
    Leases b = as("provisioner-worker@h2:8082");
    ClaimResult.Claimed first = (ClaimResult.Claimed) a.claimProvision(id, SHORT);
    assertThat(first.instance().state()).isEqualTo(InstanceState.PROVISIONING);

    // another worker: busy until the lease ends
    assertThat(b.claimProvision(id, SHORT)).isInstanceOf(ClaimResult.Busy.class);
    // the same worker (after a failed attempt whose release did not reach Valkey): its own claim
    ClaimResult.Claimed again = (ClaimResult.Claimed) a.claimProvision(id, SHORT);
    assertThat(again.fence()).isEqualTo(first.fence() + 1);
    // the earlier attempt of the same worker is fenced off
    assertThat(store.provisioning().allocatePort(id, first.fence())).isInstanceOf(StaleFence.class);
    assertThat(store.provisioning().allocatePort(id, again.fence()))
        .isInstanceOf(PortResult.Allocated.class);
    // an anonymous claim (the old API) never counts as anyone's own
    assertThat(store.claims().claimProvision(id, SHORT)).isInstanceOf(ClaimResult.Busy.class);

    // the lease runs out: anybody takes it over, and it is theirs now
    clock.advance(SHORT.plusMillis(1));
    ClaimResult.Claimed taken = (ClaimResult.Claimed) b.claimProvision(id, SHORT);
    assertThat(taken.fence()).isEqualTo(again.fence() + 1);
    assertThat(a.claimProvision(id, SHORT)).isInstanceOf(ClaimResult.Busy.class);
    store.provisioning().markFailed(id, taken.fence(), "test over");
  }

  @Test
  void aRestartedWorkerReleasesWhatItHeldAtOnceAndNothingElse() {
    String tpl = template();
    Leases a = as("cleanup-worker@h1:8084");
    Leases b = as("cleanup-worker@h2:8084");
    String mine = Fixtures.requested(store, tpl);
    String theirs = Fixtures.requested(store, tpl);
    long fence = ((ClaimResult.Claimed) a.claimProvision(mine, Duration.ofMinutes(1))).fence();
    b.claimProvision(theirs, Duration.ofMinutes(1));
    Instance term = Fixtures.assigned(store, tpl);
    store.lifecycle().release(term.id(), Fixtures.TOKEN);
    a.claimTerminate(term.id(), Duration.ofMinutes(1));

    assertThat(a.releaseAll()).containsExactlyInAnyOrder(mine, term.id());
    assertThat(a.releaseAll()).isEmpty();
    // free for anyone now; the other worker's claim is untouched
    assertThat(b.claimProvision(mine, SHORT)).isInstanceOf(ClaimResult.Claimed.class);
    assertThat(b.claimTerminate(term.id(), SHORT)).isInstanceOf(ClaimResult.Claimed.class);
    assertThat(as("someone-else").claimProvision(theirs, SHORT))
        .isInstanceOf(ClaimResult.Busy.class);
    assertThat(store.claims().renewLease(mine, fence, SHORT)).isInstanceOf(StaleFence.class);
    assertThatThrownBy(() -> as("bad worker id")).isInstanceOf(IllegalArgumentException.class);

    clock.advance(Duration.ofMinutes(2));
    for (String id : new String[] {mine, theirs}) {
      long f = ((ClaimResult.Claimed) store.claims().claimProvision(id, SHORT)).fence();
      store.provisioning().markFailed(id, f, "test over");
    }
    long tf = ((ClaimResult.Claimed) store.claims().claimTerminate(term.id(), SHORT)).fence();
    store.lifecycle().markTerminated(term.id(), tf);
  }

  @Test
  void aHeldClaimIsRenewedAClaimNobodyRenewsIsTakenOverWithinItsLease() throws Exception {
    // the system clock: the heartbeat runs in real time
    try (Store live = Store.connect(valkey.url(), store.prefix())) {
      String id = Fixtures.requested(live, template());
      Leases a = new Leases(live, java.time.InstantSource.system(), "w-a", Duration.ofHours(1));
      Leases b = new Leases(live, java.time.InstantSource.system(), "w-b", Duration.ofHours(1));
      Duration lease = Duration.ofSeconds(2);
      LeaseHeartbeat beat = new LeaseHeartbeat(live, lease);
      long fence = ((ClaimResult.Claimed) a.claimProvision(id, lease)).fence();
      LeaseHeartbeat.Held held = beat.hold(id, fence);
      long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < until) { // three leases long: alive only through the beats
        beat.renewAll();
        assertThat(b.claimProvision(id, lease)).isInstanceOf(ClaimResult.Busy.class);
        Thread.sleep(beat.period().toMillis()); // the beat's own period, not a synchronisation
      }
      assertThat(held.lost()).isFalse();

      // the worker stops renewing (killed): another one has the claim within one lease
      long stopped = System.nanoTime();
      ClaimResult taken;
      do {
        Thread.sleep(100);
        taken = b.claimProvision(id, lease);
      } while (!(taken instanceof ClaimResult.Claimed));
      assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThan(lease.plusSeconds(1));
      // the old holder's next beat finds it lost and stops
      beat.renewAll();
      assertThat(held.lost()).isTrue();
      assertThat(beat.size()).isZero();
      live.provisioning().markFailed(id, ((ClaimResult.Claimed) taken).fence(), "test over");
    }
  }
}
