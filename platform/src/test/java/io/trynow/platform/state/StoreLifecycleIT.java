package io.trynow.platform.state;

import static io.trynow.platform.state.Fixtures.LEASE;
import static io.trynow.platform.state.Fixtures.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.model.Ids;
import io.trynow.model.InstanceState;
import io.trynow.testsupport.RealServers.Kind;
import io.trynow.testsupport.RealServersExtension.WithRealServers;
import io.trynow.testsupport.ValkeyServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The happy path of one instance, end to end, and the checker agreeing at every step. */
@WithRealServers(Kind.VALKEY)
class StoreLifecycleIT {

  private final MutableClock clock = new MutableClock();
  private Store store;

  @BeforeEach
  void open(ValkeyServer valkey) {
    store = Store.connect(valkey.url(), Fixtures.prefix("life"), clock);
    store.capacity().initPorts(21000, 21009);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void anInstanceGoesFromRequestedToTerminatedAndEveryIndexFollows() {
    ReserveResult reserved =
        store
            .sizing()
            .reserveProvision(
                new ReserveArgs(
                    "hello", 1, 5, 2, List.of(Ids.newInstanceId(), Ids.newInstanceId())));
    assertThat(reserved.created()).hasSize(1);
    String id = reserved.created().getFirst();
    assertThat(store.ids(InstanceState.REQUESTED)).containsExactly(id);

    ClaimResult.Claimed claim = (ClaimResult.Claimed) store.claims().claimProvision(id, LEASE);
    assertThat(claim.fence()).isEqualTo(1);
    PortResult.Allocated port =
        (PortResult.Allocated) store.provisioning().allocatePort(id, claim.fence());
    assertThat(port.port()).isBetween(21000, 21009);
    assertThat(store.provisioning().markStarted(id, claim.fence(), "trynow-" + id))
        .isInstanceOf(Changed.class);
    ReadyResult ready = store.provisioning().markReady(id, "http://" + id + ".demo.localhost:8088");
    assertThat(ready).isInstanceOf(ReadyResult.Pooled.class);
    assertThat(store.poolStats("hello").ready()).isEqualTo(1);

    AcquireResult acquired = store.requests().acquire(Fixtures.acquireArgs("hello", "10.1.1.1"));
    Instance inst = ((AcquireResult.Assigned) acquired).instance();
    assertThat(inst.state()).isEqualTo(InstanceState.ASSIGNED);
    assertThat(inst.expiresAt()).isEqualTo(clock.instant().plus(Fixtures.TTL));
    assertThat(inst.maxExpiresAt()).isEqualTo(clock.instant().plus(Fixtures.MAX_LIFE));

    ExtendResult ext = store.lifecycle().extend(id, TOKEN, Duration.ofMinutes(10));
    assertThat(((ExtendResult.Extended) ext).instance().expiresAt())
        .isEqualTo(clock.instant().plus(Fixtures.TTL).plus(Duration.ofMinutes(10)));

    assertThat(store.lifecycle().release(id, TOKEN)).isInstanceOf(Changed.class);
    ClaimResult.Claimed t = (ClaimResult.Claimed) store.claims().claimTerminate(id, LEASE);
    Changed done = (Changed) store.lifecycle().markTerminated(id, t.fence());
    assertThat(done.instance().state()).isEqualTo(InstanceState.TERMINATED);
    assertThat(done.instance().version()).isGreaterThan(inst.version());
    assertThat(store.capacity().initPorts(21000, 21009).free()).isEqualTo(10);
    assertThat(ConsistencyChecker.check(store)).isEmpty();
  }
}
