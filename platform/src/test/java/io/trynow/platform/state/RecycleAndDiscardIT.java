package io.trynow.platform.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.model.InstanceState;
import org.junit.jupiter.api.Test;

/**
 * recycle_ready (an idle instance whose probe failed, or that idled too long, never gets handed
 * out).
 */
class RecycleAndDiscardIT extends StoreTestBase {

  @Test
  void aRecycledReadyInstanceLeavesTheReadyListAndIsNeverHandedOut() {
    String tpl = template();
    Instance dead = Fixtures.ready(store, tpl);
    Instance alive = Fixtures.ready(store, tpl);

    Changed c = (Changed) store.recycleReady(dead.id(), "health probe failed");
    assertThat(c.repeat()).isFalse();
    assertThat(c.instance().state()).isEqualTo(InstanceState.TERMINATING);
    assertThat(c.instance().lastError()).isEqualTo("health probe failed");
    assertThat(store.recycleReady(dead.id(), "again")).isEqualTo(new Changed(c.instance(), true));
    assertThat(store.poolStats(tpl).ready()).isEqualTo(1);

    AcquireResult.Assigned a =
        (AcquireResult.Assigned) store.acquire(Fixtures.acquireArgs(tpl, "10.0.0.1"));
    assertThat(a.instance().id()).isEqualTo(alive.id());
    // handed out since its probe: left alone
    assertThat(store.recycleReady(alive.id(), "late probe"))
        .isEqualTo(new WrongState(alive.id(), InstanceState.ASSIGNED));
    assertThat(store.instance(alive.id()).orElseThrow().state()).isEqualTo(InstanceState.ASSIGNED);
    // the cleanup worker can claim and finish the recycled one
    ClaimResult.Claimed t = (ClaimResult.Claimed) store.claimTerminate(dead.id(), Fixtures.LEASE);
    assertThat(store.markTerminated(dead.id(), t.fence())).isInstanceOf(Changed.class);
  }
}
