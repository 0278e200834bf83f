package io.trynow.platform.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.model.InstanceState;
import org.junit.jupiter.api.Test;

/**
 * recycle_ready (an idle instance whose probe failed, or that idled too long, never gets handed
 * out) and discard_claim (an instance that failed its claim check is replaced for the same request
 * by the next ready one, else the request waits first in line).
 */
class RecycleAndDiscardIT extends StoreTestBase {

  @Test
  void aRecycledReadyInstanceLeavesTheReadyListAndIsNeverHandedOut() {
    String tpl = template();
    Instance dead = Fixtures.ready(store, tpl);
    Instance alive = Fixtures.ready(store, tpl);

    Changed c = (Changed) store.lifecycle().recycleReady(dead.id(), "health probe failed");
    assertThat(c.repeat()).isFalse();
    assertThat(c.instance().state()).isEqualTo(InstanceState.TERMINATING);
    assertThat(c.instance().lastError()).isEqualTo("health probe failed");
    assertThat(store.lifecycle().recycleReady(dead.id(), "again"))
        .isEqualTo(new Changed(c.instance(), true));
    assertThat(store.poolStats(tpl).ready()).isEqualTo(1);

    AcquireResult.Assigned a =
        (AcquireResult.Assigned) store.requests().acquire(Fixtures.acquireArgs(tpl, "10.0.0.1"));
    assertThat(a.instance().id()).isEqualTo(alive.id());
    // handed out since its probe: left alone
    assertThat(store.lifecycle().recycleReady(alive.id(), "late probe"))
        .isEqualTo(new WrongState(alive.id(), InstanceState.ASSIGNED));
    assertThat(store.instance(alive.id()).orElseThrow().state()).isEqualTo(InstanceState.ASSIGNED);
    // the cleanup worker can claim and finish the recycled one
    ClaimResult.Claimed t =
        (ClaimResult.Claimed) store.claims().claimTerminate(dead.id(), Fixtures.LEASE);
    assertThat(store.lifecycle().markTerminated(dead.id(), t.fence())).isInstanceOf(Changed.class);
  }

  @Test
  void aDiscardedClaimGivesTheRequestTheNextReadyInstance() {
    String tpl = template();
    Fixtures.ready(store, tpl);
    Instance second = Fixtures.ready(store, tpl);
    AcquireResult.Assigned a =
        (AcquireResult.Assigned) store.requests().acquire(Fixtures.acquireArgs(tpl, "10.0.0.1"));
    String rid = a.requestId();

    Discarded d = store.requests().discardClaim(rid, a.instance().id(), "hook failed: HTTP 500");
    assertThat(d.outcome()).isEqualTo(Discarded.Outcome.REASSIGNED);
    assertThat(d.next().id()).isEqualTo(second.id());
    assertThat(d.next().requestId()).isEqualTo(rid);
    assertThat(d.next().ownerTokenHash()).isEqualTo(Fixtures.TOKEN);
    assertThat(d.next().expiresAt()).isNotNull();
    assertThat(store.request(rid).orElseThrow().instanceId()).isEqualTo(second.id());

    Instance gone = store.instance(a.instance().id()).orElseThrow();
    assertThat(gone.state()).isEqualTo(InstanceState.TERMINATING);
    assertThat(gone.requestId()).isNull();
    assertThat(gone.ownerTokenHash()).isNull();
    assertThat(gone.lastError()).isEqualTo("hook failed: HTTP 500");
    // a second delivery of the same discard changes nothing
    assertThat(store.requests().discardClaim(rid, a.instance().id(), "again").outcome())
        .isEqualTo(Discarded.Outcome.STALE);
    ClaimResult.Claimed t =
        (ClaimResult.Claimed) store.claims().claimTerminate(a.instance().id(), Fixtures.LEASE);
    store.lifecycle().markTerminated(a.instance().id(), t.fence());
  }

  @Test
  void withNothingReadyTheRequestWaitsFirstInLineAndIsServedNext() {
    String tpl = template();
    Fixtures.ready(store, tpl);
    AcquireResult.Assigned a =
        (AcquireResult.Assigned) store.requests().acquire(Fixtures.acquireArgs(tpl, "10.0.0.1"));
    AcquireResult.Queued later =
        (AcquireResult.Queued) store.requests().acquire(Fixtures.acquireArgs(tpl, "10.0.0.2"));
    assertThat(later.position()).isEqualTo(1);

    Discarded d = store.requests().discardClaim(a.requestId(), a.instance().id(), "probe refused");
    assertThat(d.outcome()).isEqualTo(Discarded.Outcome.QUEUED);
    RequestRecord r = store.request(a.requestId()).orElseThrow();
    assertThat(r.state()).isEqualTo(RequestState.QUEUED);
    assertThat(r.position()).isEqualTo(1);
    assertThat(store.request(later.requestId()).orElseThrow().position()).isEqualTo(2);

    // the next instance to become ready goes to the discarded claim's request
    Instance s = Fixtures.started(store, tpl);
    ReadyResult.HandedOver h =
        (ReadyResult.HandedOver) store.provisioning().markReady(s.id(), null);
    assertThat(h.requestId()).isEqualTo(a.requestId());
    ClaimResult.Claimed t =
        (ClaimResult.Claimed) store.claims().claimTerminate(a.instance().id(), Fixtures.LEASE);
    store.lifecycle().markTerminated(a.instance().id(), t.fence());
  }
}
