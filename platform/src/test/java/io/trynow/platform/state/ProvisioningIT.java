package io.trynow.platform.state;

import static io.trynow.platform.state.Fixtures.LEASE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trynow.model.Ids;
import io.trynow.model.InstanceState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** reserve_provision, claim_provision, renew_lease, allocate_port, mark_started, mark_failed. */
class ProvisioningIT extends StoreTestBase {

  private static List<String> ids(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(Ids.newInstanceId());
    }
    return ids;
  }

  @Test
  void reserveCreatesUpToTheTargetCountingReadyInFlightAndWaiting() {
    String tpl = template();
    ReserveResult r = store.sizing().reserveProvision(new ReserveArgs(tpl, 3, 10, 10, ids(5)));
    assertThat(r.created()).hasSize(3);
    assertThat(r.stats().requested()).isEqualTo(3);
    assertThat(store.sizing().reserveProvision(new ReserveArgs(tpl, 3, 10, 10, ids(5))).created())
        .isEmpty();

    // two waiting visitors raise the demand by two
    store.requests().acquire(Fixtures.acquireArgs(tpl, "10.0.0.1"));
    store.requests().acquire(Fixtures.acquireArgs(tpl, "10.0.0.2"));
    ReserveResult more = store.sizing().reserveProvision(new ReserveArgs(tpl, 3, 10, 10, ids(5)));
    assertThat(more.created()).hasSize(2);
    assertThat(more.stats().waiting()).isEqualTo(2);
    assertThat(more.stats().inFlight()).isEqualTo(5);
  }

  @Test
  void reserveNeverPassesMaxTotalOrMaxInFlight() {
    String tpl = template();
    assertThat(store.sizing().reserveProvision(new ReserveArgs(tpl, 10, 10, 2, ids(5))).created())
        .hasSize(2);
    String tpl2 = template();
    assertThat(store.sizing().reserveProvision(new ReserveArgs(tpl2, 10, 3, 10, ids(5))).created())
        .hasSize(3);
    ReserveResult none = store.sizing().reserveProvision(new ReserveArgs(tpl2, 10, 3, 10, ids(5)));
    assertThat(none.created()).isEmpty();
    assertThat(none.stats().total()).isEqualTo(3);
  }

  /**
   * max-in-flight caps the engine's work (requested + provisioning); a started instance (container
   * up, route pending) frees its slot but still counts toward the pool's need.
   */
  @Test
  void aStartedInstanceFreesItsEngineSlotButStillCountsTowardTheTarget() {
    String tpl = template();
    Fixtures.started(store, tpl);
    Fixtures.started(store, tpl);
    // target 3: two are coming (started), one more is needed, and the engine has room for it
    ReserveResult r = store.sizing().reserveProvision(new ReserveArgs(tpl, 3, 10, 1, ids(5)));
    assertThat(r.created()).hasSize(1);
    assertThat(r.stats().started()).isEqualTo(2);
    // target 5: two more needed, but the one requested fills the engine's single slot
    assertThat(store.sizing().reserveProvision(new ReserveArgs(tpl, 5, 10, 1, ids(5))).created())
        .isEmpty();
  }

  @Test
  void reserveRejectsBadArgumentsAndWritesNothing() {
    String tpl = template();
    String id = Fixtures.requested(store, tpl);
    assertThatThrownBy(
            () -> store.sizing().reserveProvision(new ReserveArgs(tpl, 9, 9, 9, List.of(id))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("id exists");
    assertThatThrownBy(() -> new ReserveArgs("Bad_Name", 1, 1, 1, ids(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ReserveArgs(tpl, -1, 1, 1, ids(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ReserveArgs(tpl, 1, 1, 1, List.of("nope")))
        .isInstanceOf(IllegalArgumentException.class);
    // the function checks again, whatever Java let through: a bad id after a good one
    String good = Ids.newInstanceId();
    assertThatThrownBy(() ->
            store.client().call("reserve_provision", "1", tpl, "9", "9", "9", good, "i-not-an-id"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("BADARG");
    assertThat(store.instance(good)).isEmpty();
    assertThat(store.poolStats(tpl).requested()).isEqualTo(1);
  }

  @Test
  void claimSetsALeaseAndAFenceAndABusyClaimIsRefusedUntilTheLeaseEnds() {
    String id = Fixtures.requested(store, template());
    ClaimResult.Claimed first = (ClaimResult.Claimed) store.claims().claimProvision(id, LEASE);
    assertThat(first.fence()).isEqualTo(1);
    assertThat(first.instance().leaseUntil()).isEqualTo(clock.instant().plus(LEASE));
    assertThat(store.claims().claimProvision(id, LEASE)).isInstanceOf(ClaimResult.Busy.class);

    clock.advance(LEASE.plusMillis(1));
    assertThat(store.leaseExpired(10)).containsExactly(id);
    ClaimResult.Claimed second = (ClaimResult.Claimed) store.claims().claimProvision(id, LEASE);
    assertThat(second.fence()).isEqualTo(2);
    assertThat(second.instance().state()).isEqualTo(InstanceState.PROVISIONING);
    assertThat(store.leaseExpired(10)).isEmpty();
  }

  @Test
  void renewingTheLeaseKeepsOthersOutAndAStaleHolderCannotRenew() {
    String id = Fixtures.requested(store, template());
    long fence = ((ClaimResult.Claimed) store.claims().claimProvision(id, LEASE)).fence();
    clock.advance(LEASE.minusSeconds(1));
    assertThat(store.claims().renewLease(id, fence, LEASE)).isInstanceOf(Changed.class);
    clock.advance(Duration.ofSeconds(2));
    assertThat(store.claims().claimProvision(id, LEASE)).isInstanceOf(ClaimResult.Busy.class);
    clock.advance(LEASE);
    long newFence = ((ClaimResult.Claimed) store.claims().claimProvision(id, LEASE)).fence();
    assertThat(store.claims().renewLease(id, fence, LEASE)).isEqualTo(new StaleFence(id, newFence));
  }

  @Test
  void staleWorkerWhoseLeaseWasTakenOverCannotWriteAnything() {
    String id = Fixtures.requested(store, template());
    long stale = ((ClaimResult.Claimed) store.claims().claimProvision(id, LEASE)).fence();
    clock.advance(LEASE.plusSeconds(1));
    long fresh = ((ClaimResult.Claimed) store.claims().claimProvision(id, LEASE)).fence();
    long before = version(id);

    assertThat(store.provisioning().allocatePort(id, stale)).isEqualTo(new StaleFence(id, fresh));
    assertThat(store.provisioning().markStarted(id, stale, "trynow-" + id))
        .isEqualTo(new StaleFence(id, fresh));
    assertThat(store.provisioning().markFailed(id, stale, "late"))
        .isEqualTo(new StaleFence(id, fresh));
    assertThat(store.claims().renewLease(id, stale, LEASE)).isEqualTo(new StaleFence(id, fresh));
    assertThat(version(id)).isEqualTo(before);

    assertThat(store.provisioning().allocatePort(id, fresh))
        .isInstanceOf(PortResult.Allocated.class);
    assertThat(store.provisioning().markStarted(id, fresh, "trynow-" + id))
        .isInstanceOf(Changed.class);
    // after the successor finished, the stale worker still cannot touch it
    assertThat(store.provisioning().markStarted(id, stale, "trynow-" + id))
        .isEqualTo(new StaleFence(id, fresh));
  }

  @Test
  void allocatePortIsIdempotentAndReportsExhaustion() {
    Store small = Store.connect(valkey.url(), Fixtures.prefix("ports"), clock);
    try {
      small.capacity().initPorts(22000, 22001);
      String tpl = template();
      List<Long> fences = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String id = Fixtures.requested(small, tpl);
        ids.add(id);
        fences.add(((ClaimResult.Claimed) small.claims().claimProvision(id, LEASE)).fence());
      }
      PortResult.Allocated a =
          (PortResult.Allocated) small.provisioning().allocatePort(ids.get(0), 1);
      assertThat(small.provisioning().allocatePort(ids.get(0), 1))
          .isEqualTo(new PortResult.Allocated(ids.get(0), a.port(), true));
      PortResult.Allocated b =
          (PortResult.Allocated) small.provisioning().allocatePort(ids.get(1), 1);
      assertThat(b.port()).isNotEqualTo(a.port());
      assertThat(small.provisioning().allocatePort(ids.get(2), 1))
          .isEqualTo(new PortResult.NoFreePort(ids.get(2)));
      // a failure gives the port back, and the waiting one gets it
      assertThat(small.provisioning().markFailed(ids.get(0), 1, "image pull"))
          .isInstanceOf(Changed.class);
      assertThat(small.provisioning().allocatePort(ids.get(2), 1))
          .isEqualTo(new PortResult.Allocated(ids.get(2), a.port(), false));
      assertThat(ConsistencyChecker.check(small)).isEmpty();
    } finally {
      small.close();
    }
  }

  @Test
  void allocatePortOnlyForAProvisioningInstance() {
    String tpl = template();
    String requested = Fixtures.requested(store, tpl);
    assertThat(store.provisioning().allocatePort(requested, 1))
        .isEqualTo(new WrongState(requested, InstanceState.REQUESTED));
    String missing = Ids.newInstanceId();
    assertThat(store.provisioning().allocatePort(missing, 1)).isEqualTo(new NotFound(missing));
  }

  @Test
  void markStartedNeedsAPortAndRepeatsIdempotently() {
    String id = Fixtures.requested(store, template());
    long fence = ((ClaimResult.Claimed) store.claims().claimProvision(id, LEASE)).fence();
    assertThatThrownBy(() -> store.provisioning().markStarted(id, fence, "trynow-" + id))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port");
    store.provisioning().allocatePort(id, fence);
    Changed first = (Changed) store.provisioning().markStarted(id, fence, "trynow-" + id);
    assertThat(first.repeat()).isFalse();
    assertThat(first.instance().containerName()).isEqualTo("trynow-" + id);
    assertThat(first.instance().leaseUntil()).isNull();
    assertThat(first.instance().startedAt()).isEqualTo(clock.instant());
    Changed again = (Changed) store.provisioning().markStarted(id, fence, "trynow-" + id);
    assertThat(again.repeat()).isTrue();
    assertThat(again.instance().version()).isEqualTo(first.instance().version());
    assertThatThrownBy(() -> store.provisioning().markStarted(id, fence, "bad name!"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void markFailedFreesThePortAndLeavesATombstone() {
    Instance p = Fixtures.provisioning(store, template());
    Changed c =
        (Changed) store.provisioning().markFailed(p.id(), p.fence(), "health check timed out");
    assertThat(c.instance().state()).isEqualTo(InstanceState.FAILED);
    assertThat(c.instance().lastError()).isEqualTo("health check timed out");
    assertThat(c.instance().endedAt()).isEqualTo(clock.instant());
    assertThat(store.capacity().initPorts(FIRST_PORT, LAST_PORT).used()).isZero();
    assertThat(store.ids(InstanceState.PROVISIONING)).doesNotContain(p.id());
    assertThat(valkey.command("PTTL {" + store.prefix() + "}:i:" + p.id())).matches(":[1-9][0-9]*");
    assertThat(((Changed) store.provisioning().markFailed(p.id(), p.fence(), "again")).repeat())
        .isTrue();
  }

  @Test
  void aClaimantMayFailOnlyTheProvisioningInstanceItHolds() {
    Instance s = Fixtures.started(store, template());
    assertThat(store.provisioning().markFailed(s.id(), s.fence(), "late"))
        .isEqualTo(new WrongState(s.id(), InstanceState.STARTED));
    assertThat(store.provisioning().markFailed(s.id(), "container died"))
        .isInstanceOf(Changed.class);
  }
}
