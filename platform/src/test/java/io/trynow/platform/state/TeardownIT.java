package io.trynow.platform.state;

import static io.trynow.platform.state.Fixtures.LEASE;
import static io.trynow.platform.state.Fixtures.MAX_LIFE;
import static io.trynow.platform.state.Fixtures.OTHER_TOKEN;
import static io.trynow.platform.state.Fixtures.TOKEN;
import static io.trynow.platform.state.Fixtures.TTL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trynow.model.Ids;
import io.trynow.model.InstanceState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** extend, release, claim_expired, claim_terminate, mark_terminated, force_terminate. */
class TeardownIT extends StoreTestBase {

  @Test
  void extendAddsToTheExpiryCapsAtTheMaxLifetimeThenRefuses() {
    Instance i = Fixtures.assigned(store, template());
    ExtendResult.Extended e =
        (ExtendResult.Extended) store.lifecycle().extend(i.id(), TOKEN, Duration.ofMinutes(15));
    assertThat(e.capped()).isFalse();
    assertThat(e.instance().expiresAt()).isEqualTo(i.expiresAt().plus(Duration.ofMinutes(15)));
    ExtendResult.Extended capped =
        (ExtendResult.Extended) store.lifecycle().extend(i.id(), TOKEN, Duration.ofHours(3));
    assertThat(capped.capped()).isTrue();
    assertThat(capped.instance().expiresAt()).isEqualTo(i.maxExpiresAt());
    assertThat(store.lifecycle().extend(i.id(), TOKEN, Duration.ofMinutes(1)))
        .isEqualTo(new ExtendResult.PastMaxLifetime(i.id(), i.maxExpiresAt()));
  }

  @Test
  void extendChecksTheOwnerTokenAndTheState() {
    Instance i = Fixtures.assigned(store, template());
    long v = version(i.id());
    assertThat(store.lifecycle().extend(i.id(), OTHER_TOKEN, Duration.ofMinutes(1)))
        .isEqualTo(new BadToken(i.id()));
    assertThat(version(i.id())).isEqualTo(v);
    Instance ready = Fixtures.ready(store, template());
    assertThat(store.lifecycle().extend(ready.id(), TOKEN, Duration.ofMinutes(1)))
        .isEqualTo(new BadToken(ready.id()));
    store.lifecycle().release(i.id(), TOKEN);
    assertThat(store.lifecycle().extend(i.id(), TOKEN, Duration.ofMinutes(1)))
        .isEqualTo(new WrongState(i.id(), InstanceState.TERMINATING));
    String missing = Ids.newInstanceId();
    assertThat(store.lifecycle().extend(missing, TOKEN, Duration.ofMinutes(1)))
        .isEqualTo(new NotFound(missing));
    assertThatThrownBy(() -> store.lifecycle().extend(i.id(), TOKEN, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void releaseNeedsTheOwnerAndIsIdempotent() {
    Instance i = Fixtures.assigned(store, template());
    assertThat(store.lifecycle().release(i.id(), OTHER_TOKEN)).isEqualTo(new BadToken(i.id()));
    Changed c = (Changed) store.lifecycle().release(i.id(), TOKEN);
    assertThat(c.repeat()).isFalse();
    assertThat(c.instance().state()).isEqualTo(InstanceState.TERMINATING);
    assertThat(c.instance().leaseUntil()).isNull();
    assertThat(c.instance().fence()).isGreaterThan(i.fence());
    assertThat(((Changed) store.lifecycle().release(i.id(), TOKEN)).repeat()).isTrue();
  }

  @Test
  void claimExpiredTakesOnlyExpiredAtMostNAndLeasesThem() {
    String tpl = template();
    Instance a = Fixtures.assigned(store, tpl);
    Instance b = Fixtures.assigned(store, tpl);
    clock.advance(Duration.ofMinutes(5));
    Instance c = Fixtures.assigned(store, tpl);
    assertThat(store.claims().claimExpired(10, LEASE)).isEmpty();
    clock.advance(Duration.ofMinutes(11)); // a and b expired a minute ago, c expires in 4
    List<Instance> first = store.claims().claimExpired(1, LEASE);
    assertThat(first).hasSize(1);
    List<Instance> second = store.claims().claimExpired(10, LEASE);
    assertThat(second).hasSize(1);
    assertThat(List.of(first.getFirst().id(), second.getFirst().id()))
        .containsExactlyInAnyOrder(a.id(), b.id());
    Instance claimed = first.getFirst();
    assertThat(claimed.state()).isEqualTo(InstanceState.TERMINATING);
    assertThat(claimed.leaseUntil()).isEqualTo(clock.instant().plus(LEASE));
    assertThat(store.instance(c.id()).orElseThrow().state()).isEqualTo(InstanceState.ASSIGNED);
    assertThat(store.claims().claimTerminate(claimed.id(), LEASE))
        .isInstanceOf(ClaimResult.Busy.class);
    Changed t = (Changed) store.lifecycle().markTerminated(claimed.id(), claimed.fence());
    assertThat(t.instance().state()).isEqualTo(InstanceState.TERMINATED);
  }

  @Test
  void anExtendedInstanceIsNotReapedAtItsOldExpiry() {
    Instance i = Fixtures.assigned(store, template());
    store.lifecycle().extend(i.id(), TOKEN, Duration.ofMinutes(10));
    clock.advance(TTL.plusSeconds(1));
    assertThat(store.claims().claimExpired(10, LEASE)).isEmpty();
    clock.advance(Duration.ofMinutes(10));
    assertThat(store.claims().claimExpired(10, LEASE))
        .extracting(Instance::id)
        .containsExactly(i.id());
  }

  @Test
  void markTerminatedNeedsTheCurrentClaimFreesThePortAndKeepsATombstone() {
    Instance i = Fixtures.assigned(store, template());
    store.lifecycle().release(i.id(), TOKEN);
    long released = store.instance(i.id()).orElseThrow().fence();
    // unclaimed: nobody may mark it terminated, not even with the current fence
    assertThat(store.lifecycle().markTerminated(i.id(), released)).isInstanceOf(StaleFence.class);
    long stale = ((ClaimResult.Claimed) store.claims().claimTerminate(i.id(), LEASE)).fence();
    clock.advance(LEASE.plusSeconds(1));
    long fresh = ((ClaimResult.Claimed) store.claims().claimTerminate(i.id(), LEASE)).fence();
    assertThat(store.lifecycle().markTerminated(i.id(), stale))
        .isEqualTo(new StaleFence(i.id(), fresh));
    Changed done = (Changed) store.lifecycle().markTerminated(i.id(), fresh);
    assertThat(done.instance().port()).isEqualTo(i.port());
    assertThat(store.capacity().initPorts(FIRST_PORT, LAST_PORT).used()).isZero();
    assertThat(store.ids(InstanceState.TERMINATING)).isEmpty();
    assertThat(((Changed) store.lifecycle().markTerminated(i.id(), stale)).repeat()).isTrue();
    String ttl = valkey.command("PTTL {" + store.prefix() + "}:i:" + i.id());
    assertThat(Long.parseLong(ttl.substring(1))).isPositive();
  }

  @Test
  void forceTerminateEndsReadyAndAssignedAndFailsTheRest() {
    String tpl = template();
    Instance ready = Fixtures.ready(store, tpl);
    Changed r = (Changed) store.lifecycle().forceTerminate(ready.id(), "admin");
    assertThat(r.instance().state()).isEqualTo(InstanceState.TERMINATING);
    assertThat(store.readyCount(tpl)).isZero();
    Instance p = Fixtures.provisioning(store, tpl);
    Changed f = (Changed) store.lifecycle().forceTerminate(p.id(), "admin");
    assertThat(f.instance().state()).isEqualTo(InstanceState.FAILED);
    assertThat(store.provisioning().allocatePort(p.id(), p.fence()))
        .isEqualTo(new WrongState(p.id(), InstanceState.FAILED));
    assertThat(((Changed) store.lifecycle().forceTerminate(ready.id(), "admin")).repeat()).isTrue();
    assertThat(store.lifecycle().forceTerminate(p.id(), "admin"))
        .isEqualTo(new WrongState(p.id(), InstanceState.FAILED));
  }

  @Test
  void readsListByStateAndCountPerTemplate() {
    String tpl = template();
    Instance a = Fixtures.assigned(store, tpl);
    Instance r = Fixtures.ready(store, tpl);
    Fixtures.requested(store, tpl);
    PoolStats s = store.poolStats(tpl);
    assertThat(s).isEqualTo(new PoolStats(tpl, 1, 0, 0, 1, 1, 0, 0));
    assertThat(s.total()).isEqualTo(3);
    assertThat(store.ids(InstanceState.ASSIGNED)).contains(a.id());
    assertThat(store.instances(InstanceState.READY)).extracting(Instance::id).contains(r.id());
    assertThat(store.templates()).contains(tpl);
    assertThat(store.poolStats()).extracting(PoolStats::template).contains(tpl);
    assertThat(a.maxExpiresAt()).isEqualTo(a.assignedAt().plus(MAX_LIFE));
    assertThatThrownBy(() -> store.ids(InstanceState.TERMINATED))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
