package io.trynow.platform.state;

import static io.trynow.platform.state.Fixtures.MAX_LIFE;
import static io.trynow.platform.state.Fixtures.TOKEN;
import static io.trynow.platform.state.Fixtures.TTL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trynow.model.Ids;
import io.trynow.model.InstanceState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** acquire, mark_ready (pool or hand-over), the wait queue, expire_waiting, per-IP cap. */
class AcquireIT extends StoreTestBase {

  @Test
  void acquireTakesTheOldestReadyInstanceAndSetsExpiryAndCapInTheSameCall() {
    String tpl = template();
    Instance older = Fixtures.ready(store, tpl);
    clock.advance(Duration.ofSeconds(1));
    Fixtures.ready(store, tpl);
    AcquireArgs args = Fixtures.acquireArgs(tpl, "192.0.2.7");
    AcquireResult.Assigned a = (AcquireResult.Assigned) store.requests().acquire(args);
    Instance i = a.instance();
    assertThat(i.id()).isEqualTo(older.id());
    assertThat(i.state()).isEqualTo(InstanceState.ASSIGNED);
    assertThat(i.requestId()).isEqualTo(args.requestId());
    assertThat(i.clientIp()).isEqualTo("192.0.2.7");
    assertThat(i.ownerTokenHash()).isEqualTo(TOKEN);
    assertThat(i.assignedAt()).isEqualTo(clock.instant());
    assertThat(i.expiresAt()).isEqualTo(clock.instant().plus(TTL));
    assertThat(i.maxExpiresAt()).isEqualTo(clock.instant().plus(MAX_LIFE));
    assertThat(i.assignedVia()).isEqualTo("pool");
    RequestRecord r = store.request(args.requestId()).orElseThrow();
    assertThat(r.state()).isEqualTo(RequestState.ASSIGNED);
    assertThat(r.instanceId()).isEqualTo(i.id());
    assertThat(store.poolStats(tpl).ready()).isEqualTo(1);
  }

  @Test
  void theOldestExpiryIsTheEarliestAssignedDemosAndNoneWhenNothingIsAssigned() {
    String tpl = template();
    assertThat(store.oldestExpiry()).isEmpty();
    Fixtures.ready(store, tpl);
    Fixtures.ready(store, tpl);
    Instance first =
        ((AcquireResult.Assigned) store.requests().acquire(Fixtures.acquireArgs(tpl, "192.0.2.8")))
            .instance();
    clock.advance(Duration.ofSeconds(30));
    store.requests().acquire(Fixtures.acquireArgs(tpl, "192.0.2.9"));
    assertThat(store.oldestExpiry()).contains(first.expiresAt());
  }

  @Test
  void ttlIsClampedToTheMaxLifetime() {
    String tpl = template();
    Fixtures.ready(store, tpl);
    AcquireArgs args =
        new AcquireArgs(
            Ids.newRequestId(),
            tpl,
            TOKEN,
            "10.0.0.1",
            Duration.ofHours(5),
            Duration.ofHours(1),
            10,
            0);
    Instance i = ((AcquireResult.Assigned) store.requests().acquire(args)).instance();
    assertThat(i.expiresAt()).isEqualTo(i.maxExpiresAt());
  }

  @Test
  void aRepeatedRequestIdGetsTheFirstOutcomeBack() {
    String tpl = template();
    Fixtures.ready(store, tpl);
    AcquireArgs args = Fixtures.acquireArgs(tpl, "10.0.0.1");
    AcquireResult.Assigned first = (AcquireResult.Assigned) store.requests().acquire(args);
    Fixtures.ready(store, tpl);
    AcquireResult.Assigned again = (AcquireResult.Assigned) store.requests().acquire(args);
    assertThat(again.repeat()).isTrue();
    assertThat(again.instance()).isEqualTo(first.instance());
    assertThat(store.poolStats(tpl).ready()).isEqualTo(1);

    AcquireArgs queued = Fixtures.acquireArgs(template(), "10.0.0.1");
    assertThat(store.requests().acquire(queued))
        .isEqualTo(new AcquireResult.Queued(queued.requestId(), 1, false));
    assertThat(store.requests().acquire(queued))
        .isEqualTo(new AcquireResult.Queued(queued.requestId(), 1, true));
    assertThat(store.poolStats(queued.template()).waiting()).isEqualTo(1);
  }

  @Test
  void withNothingReadyRequestsQueueInOrderUpToMaxQueue() {
    String tpl = template();
    AcquireArgs a = withQueue(tpl, 2);
    AcquireArgs b = withQueue(tpl, 2);
    AcquireArgs c = withQueue(tpl, 2);
    assertThat(store.requests().acquire(a))
        .isEqualTo(new AcquireResult.Queued(a.requestId(), 1, false));
    assertThat(store.requests().acquire(b))
        .isEqualTo(new AcquireResult.Queued(b.requestId(), 2, false));
    assertThat(store.requests().acquire(c))
        .isEqualTo(new AcquireResult.QueueFull(c.requestId(), 2));
    assertThat(store.request(c.requestId())).isEmpty();
    assertThat(store.request(b.requestId()).orElseThrow().position()).isEqualTo(2);

    // the first instance to become ready goes to the oldest waiting request, with its expiry
    Instance s = Fixtures.started(store, tpl);
    clock.advance(Duration.ofSeconds(3));
    ReadyResult.HandedOver h =
        (ReadyResult.HandedOver) store.provisioning().markReady(s.id(), "http://x");
    assertThat(h.requestId()).isEqualTo(a.requestId());
    assertThat(h.instance().state()).isEqualTo(InstanceState.ASSIGNED);
    assertThat(h.instance().assignedVia()).isEqualTo("queue");
    assertThat(h.instance().expiresAt()).isEqualTo(clock.instant().plus(TTL));
    assertThat(h.instance().url()).isEqualTo("http://x");
    assertThat(store.provisioning().markReady(s.id(), "http://x"))
        .isEqualTo(new ReadyResult.HandedOver(h.instance(), a.requestId(), true));
    assertThat(store.request(a.requestId()).orElseThrow().state()).isEqualTo(RequestState.ASSIGNED);
    assertThat(store.request(b.requestId()).orElseThrow().position()).isEqualTo(1);
    // a repeat of the handed-over request now sees its instance
    assertThat(store.requests().acquire(a))
        .isEqualTo(new AcquireResult.Assigned(h.instance(), a.requestId(), true));
  }

  @Test
  void markReadyWithNobodyWaitingPoolsTheInstance() {
    String tpl = template();
    Instance s = Fixtures.started(store, tpl);
    ReadyResult.Pooled p = (ReadyResult.Pooled) store.provisioning().markReady(s.id(), null);
    assertThat(p.repeat()).isFalse();
    assertThat(p.instance().readyAt()).isEqualTo(clock.instant());
    assertThat(((ReadyResult.Pooled) store.provisioning().markReady(s.id(), null)).repeat())
        .isTrue();
    assertThat(store.readyCount(tpl)).isEqualTo(1);
    assertThatThrownBy(() -> store.provisioning().markReady(s.id(), "has space"))
        .isInstanceOf(IllegalArgumentException.class);
    String missing = Ids.newInstanceId();
    assertThat(store.provisioning().markReady(missing, null)).isEqualTo(new NotFound(missing));
  }

  @Test
  void expireWaitingDropsOnlyRequestsOlderThanTheTimeout() {
    String tpl = template();
    AcquireArgs old = Fixtures.acquireArgs(tpl, "10.0.0.1");
    store.requests().acquire(old);
    clock.advance(Duration.ofSeconds(50));
    AcquireArgs young = Fixtures.acquireArgs(tpl, "10.0.0.2");
    store.requests().acquire(young);
    clock.advance(Duration.ofSeconds(20));
    List<RequestRecord> expired = store.requests().expireWaiting(tpl, Duration.ofSeconds(60), 10);
    assertThat(expired).extracting(RequestRecord::id).containsExactly(old.requestId());
    assertThat(expired.getFirst().state()).isEqualTo(RequestState.EXPIRED);
    assertThat(expired.getFirst().clientIp()).isEqualTo("10.0.0.1");
    assertThat(store.request(old.requestId()).orElseThrow().state())
        .isEqualTo(RequestState.EXPIRED);
    assertThat(store.request(young.requestId()).orElseThrow().position()).isEqualTo(1);
    assertThat(store.requests().expireWaiting(tpl, Duration.ofSeconds(60), 10)).isEmpty();
    // the expired request is closed for good
    assertThat(store.requests().acquire(old)).isInstanceOf(AcquireResult.Closed.class);
  }

  @Test
  void theClientIpCapCountsQueuedAndAssignedDemosAndFreesOnRelease() {
    String tpl = template();
    Fixtures.ready(store, tpl);
    AcquireArgs one = capped(tpl);
    AcquireArgs two = capped(tpl);
    AcquireArgs three = capped(tpl);
    Instance i = ((AcquireResult.Assigned) store.requests().acquire(one)).instance();
    assertThat(store.requests().acquire(two)).isInstanceOf(AcquireResult.Queued.class);
    assertThat(store.requests().acquire(three))
        .isEqualTo(new AcquireResult.LimitExceeded(three.requestId(), 2, 2));
    assertThat(store.request(three.requestId())).isEmpty();
    store.lifecycle().release(i.id(), TOKEN);
    assertThat(store.requests().acquire(three)).isInstanceOf(AcquireResult.Queued.class);
  }

  @Test
  void aFailedAssignedInstanceClosesItsRequest() {
    String tpl = template();
    Fixtures.ready(store, tpl);
    AcquireArgs args = Fixtures.acquireArgs(tpl, "10.0.0.1");
    Instance i = ((AcquireResult.Assigned) store.requests().acquire(args)).instance();
    Changed c = (Changed) store.provisioning().markFailed(i.id(), "container died");
    assertThat(c.instance().requestId()).isEqualTo(args.requestId());
    assertThat(c.instance().ownerTokenHash()).isEqualTo(TOKEN);
    assertThat(store.request(args.requestId()).orElseThrow().state())
        .isEqualTo(RequestState.FAILED);
    AcquireResult.Closed closed = (AcquireResult.Closed) store.requests().acquire(args);
    assertThat(closed.request().state()).isEqualTo(RequestState.FAILED);
  }

  @Test
  void acquireRejectsBadArguments() {
    assertThatThrownBy(() -> Fixtures.acquireArgs("nope", template(), "10.0.0.1", TOKEN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Fixtures.acquireArgs(template(), "not an ip"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Fixtures.acquireArgs(Ids.newRequestId(), template(), "10.0.0.1", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    String rid = Ids.newRequestId();
    assertThatThrownBy(() ->
            store
                .client()
                .call("acquire", "1", rid, "t", TOKEN, "10.0.0.1", "0", "1", "1", "0", "1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ttl_ms");
    assertThat(store.request(rid)).isEmpty();
  }

  private static AcquireArgs withQueue(String tpl, int maxQueue) {
    return new AcquireArgs(Ids.newRequestId(), tpl, TOKEN, "10.0.0.1", TTL, MAX_LIFE, maxQueue, 0);
  }

  private static AcquireArgs capped(String tpl) {
    return new AcquireArgs(Ids.newRequestId(), tpl, TOKEN, "203.0.113.9", TTL, MAX_LIFE, 10, 2);
  }
}
