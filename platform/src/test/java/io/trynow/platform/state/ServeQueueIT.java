package io.trynow.platform.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.model.Ids;
import io.trynow.model.InstanceState;
import org.junit.jupiter.api.Test;

/**
 * Templates whose claims are checked (on-claim hook, probe before claim): mark_ready with hand = 0
 * pools an instance even when visitors wait, serve_queue hands it to the oldest waiting request
 * with its visitor fields, and discard_claim counts every discarded claim per template.
 */
class ServeQueueIT extends StoreTestBase {

  @Test
  void aPooledInstanceIsHandedToTheOldestWaitingRequestWithItsFields() {
    String tpl = template();
    String first = Ids.newRequestId();
    AcquireArgs withFields =
        new AcquireArgs(
            first,
            tpl,
            Fixtures.TOKEN,
            "10.0.0.1",
            Fixtures.TTL,
            Fixtures.MAX_LIFE,
            10,
            0,
            "{\"shop_name\":\"Acme\"}",
            true);
    assertThat(store.requests().acquire(withFields)).isInstanceOf(AcquireResult.Queued.class);
    AcquireResult.Queued second =
        (AcquireResult.Queued) store.requests().acquire(Fixtures.acquireArgs(tpl, "10.0.0.2"));
    assertThat(store.requests().serveQueue(tpl)).isEmpty();

    Instance s = Fixtures.started(store, tpl);
    ReadyResult.Pooled p = (ReadyResult.Pooled) store.provisioning().markReady(s.id(), null, false);
    assertThat(p.instance().state()).isEqualTo(InstanceState.READY);
    assertThat(store.request(first).orElseThrow().state()).isEqualTo(RequestState.QUEUED);

    Requests.Served served = store.requests().serveQueue(tpl).orElseThrow();
    assertThat(served.requestId()).isEqualTo(first);
    assertThat(served.fieldsJson()).isEqualTo("{\"shop_name\":\"Acme\"}");
    assertThat(served.instance().id()).isEqualTo(s.id());
    assertThat(served.instance().state()).isEqualTo(InstanceState.ASSIGNED);
    assertThat(served.instance().requestId()).isEqualTo(first);
    assertThat(store.request(first).orElseThrow().state()).isEqualTo(RequestState.ASSIGNED);
    // not shown to the visitor until its claim check passed
    assertThat(store.request(first).orElseThrow().checking()).isTrue();
    assertThat(store.requests().claimChecked(first, s.id())).isTrue();
    assertThat(store.request(first).orElseThrow().checking()).isFalse();
    assertThat(store.requests().claimChecked(first, s.id())).as("a repeat").isTrue();
    assertThat(store.requests().claimChecked(second.requestId(), s.id())).isFalse();
    assertThat(store.request(second.requestId()).orElseThrow().position()).isEqualTo(1);
    // nothing ready any more: the second one keeps waiting
    assertThat(store.requests().serveQueue(tpl)).isEmpty();
    assertThat(store.poolStats(tpl).ready()).isZero();
  }

  @Test
  void aWarmAcquireOfATemplateThatChecksClaimsIsCheckingUntilConfirmed() {
    String tpl = template();
    Instance r = Fixtures.ready(store, tpl);
    String rid = Ids.newRequestId();
    AcquireResult.Assigned a =
        (AcquireResult.Assigned)
            store
                .requests()
                .acquire(
                    new AcquireArgs(
                        rid,
                        tpl,
                        Fixtures.TOKEN,
                        "10.0.0.3",
                        Fixtures.TTL,
                        Fixtures.MAX_LIFE,
                        10,
                        0,
                        null,
                        true));
    assertThat(a.instance().id()).isEqualTo(r.id());
    assertThat(store.request(rid).orElseThrow().checking()).isTrue();
    assertThat(store.requests().claimChecked(rid, r.id())).isTrue();
    assertThat(store.request(rid).orElseThrow().checking()).isFalse();
    // a template that does not check claims: never checking
    Fixtures.ready(store, tpl);
    AcquireResult.Assigned plain =
        (AcquireResult.Assigned) store.requests().acquire(Fixtures.acquireArgs(tpl, "10.0.0.4"));
    assertThat(store.request(plain.requestId()).orElseThrow().checking()).isFalse();
  }

  @Test
  void discardedClaimsAreCountedPerTemplateWithTheLastReason() {
    String tpl = template();
    assertThat(store.requests().claimFailures(tpl).discarded()).isZero();
    Fixtures.ready(store, tpl);
    Fixtures.ready(store, tpl);
    AcquireResult.Assigned a =
        (AcquireResult.Assigned) store.requests().acquire(Fixtures.acquireArgs(tpl, "10.0.0.1"));
    Discarded d =
        store.requests().discardClaim(a.requestId(), a.instance().id(), "on-claim hook: HTTP 500");
    store
        .requests()
        .discardClaim(a.requestId(), d.next().id(), "on-claim hook: no answer within 500 ms");

    Requests.ClaimFailures f = store.requests().claimFailures(tpl);
    assertThat(f.discarded()).isEqualTo(2);
    assertThat(f.lastError()).isEqualTo("on-claim hook: no answer within 500 ms");
    assertThat(f.lastAt()).isNotNull();
    // a repeat of a discard that already happened is not counted again
    store.requests().discardClaim(a.requestId(), d.next().id(), "again");
    assertThat(store.requests().claimFailures(tpl).discarded()).isEqualTo(2);
    RequestRecord back = store.request(a.requestId()).orElseThrow();
    assertThat(back.state()).isEqualTo(RequestState.QUEUED);
    assertThat(back.checking()).isFalse();
  }
}
