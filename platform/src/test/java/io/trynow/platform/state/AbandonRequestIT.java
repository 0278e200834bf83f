package io.trynow.platform.state;

import static io.trynow.platform.state.Fixtures.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.model.Ids;
import io.trynow.model.InstanceState;
import org.junit.jupiter.api.Test;

/**
 * abandon_request: an acquire answered "not started" is closed for good, whichever of the abandon
 * and a late delivery of the acquire comes first.
 */
class AbandonRequestIT extends StoreTestBase {

  @Test
  void anAbandonedRequestIsNeverServedByALateAcquireNorByTheQueue() {
    String tpl = template();
    String rid = Ids.newRequestId();
    AbandonResult a =
        store
            .requests()
            .abandon(rid, tpl, TOKEN, "192.0.2.9", RequestState.FAILED, "not_published");
    assertThat(a).isInstanceOf(AbandonResult.Abandoned.class);
    assertThat(a.request().state()).isEqualTo(RequestState.FAILED);
    assertThat(a.request().instanceId()).isNull();

    Instance ready = Fixtures.ready(store, tpl);
    AcquireResult late =
        store.requests().acquire(Fixtures.acquireArgs(rid, tpl, "192.0.2.9", TOKEN));
    assertThat(late).isInstanceOf(AcquireResult.Closed.class);
    assertThat(store.instance(ready.id()).orElseThrow().state()).isEqualTo(InstanceState.READY);
    assertThat(store.requests().serveQueue(tpl)).isEmpty();
    assertThat(store.request(rid).orElseThrow().state()).isEqualTo(RequestState.FAILED);

    // a repeat changes nothing
    assertThat(
            store
                .requests()
                .abandon(rid, tpl, TOKEN, "192.0.2.9", RequestState.FAILED, "not_published"))
        .isInstanceOf(AbandonResult.Exists.class);
  }

  @Test
  void aRequestHandledFirstIsLeftAsItIs() {
    String tpl = template();
    Instance ready = Fixtures.ready(store, tpl);
    AcquireArgs served = Fixtures.acquireArgs(tpl, "192.0.2.10");
    store.requests().acquire(served);
    AbandonResult a =
        store
            .requests()
            .abandon(
                served.requestId(), tpl, TOKEN, "192.0.2.10", RequestState.FAILED, "not_published");
    assertThat(a).isInstanceOf(AbandonResult.Exists.class);
    assertThat(a.request().state()).isEqualTo(RequestState.ASSIGNED);
    assertThat(a.request().instanceId()).isEqualTo(ready.id());

    AcquireArgs queued = Fixtures.acquireArgs(tpl, "192.0.2.11");
    store.requests().acquire(queued);
    AbandonResult q =
        store
            .requests()
            .abandon(
                queued.requestId(), tpl, TOKEN, "192.0.2.11", RequestState.EXPIRED, "too_late");
    assertThat(q).isInstanceOf(AbandonResult.Exists.class);
    assertThat(q.request().state()).isEqualTo(RequestState.QUEUED);
  }
}
