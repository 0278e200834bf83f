package io.trynow.platform.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trynow.model.Ids;
import io.trynow.model.InstanceState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * The per-template failure circuit: failures open it with capped, jittered exponential backoff;
 * reserve_provision obeys it (one half-open probe at a time); claim_provision cancels what it
 * forbids; acquire refuses to queue; queued requests are dropped as unavailable; a success or the
 * image coming back closes it.
 */
class CircuitIT extends StoreTestBase {

  private static final CircuitPolicy POLICY =
      new CircuitPolicy(3, Duration.ofSeconds(10), Duration.ofSeconds(60));

  private static List<String> ids(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(Ids.newInstanceId());
    }
    return ids;
  }

  private List<String> reserve(String tpl, int n) {
    return store.sizing().reserveProvision(new ReserveArgs(tpl, 100, 100, 100, ids(n))).created();
  }

  /** Claims and fails one requested instance of the template as a provisioner would. */
  private void provisionFails(String tpl) {
    String id = reserve(tpl, 1).getFirst();
    ClaimResult.Claimed c = (ClaimResult.Claimed) store.claims().claimProvision(id, Fixtures.LEASE);
    assertThat(store.provisioning().markFailed(id, c.fence(), "health never passed", POLICY))
        .isInstanceOf(Changed.class);
  }

  @Test
  void consecutiveFailuresOpenTheCircuitAndReserveCreatesNothingUntilItsTime() {
    String tpl = template();
    provisionFails(tpl);
    provisionFails(tpl);
    assertThat(store.provisioning().circuit(tpl).state()).isEqualTo(Circuit.State.CLOSED);
    assertThat(store.provisioning().circuit(tpl).failures()).isEqualTo(2);
    provisionFails(tpl);

    Circuit open = store.provisioning().circuit(tpl);
    assertThat(open.state()).isEqualTo(Circuit.State.OPEN);
    assertThat(open.degraded()).isTrue();
    assertThat(open.lastError()).isEqualTo("health never passed");
    assertThat(open.trips()).isEqualTo(1);
    // jittered: between half the base delay and the base delay
    Duration wait = Duration.between(clock.instant(), open.openUntil());
    assertThat(wait).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(10));
    assertThat(reserve(tpl, 5)).isEmpty();

    // past open_until: exactly one probe, and no second one while it is in flight
    clock.advance(wait);
    List<String> probe = reserve(tpl, 5);
    assertThat(probe).hasSize(1);
    assertThat(store.provisioning().circuit(tpl).state()).isEqualTo(Circuit.State.HALF_OPEN);
    assertThat(store.provisioning().circuit(tpl).probe()).isEqualTo(probe.getFirst());
    assertThat(reserve(tpl, 5)).isEmpty();

    // the probe fails: open again, for twice as long (before jitter)
    ClaimResult.Claimed c =
        (ClaimResult.Claimed) store.claims().claimProvision(probe.getFirst(), Fixtures.LEASE);
    store.provisioning().markFailed(probe.getFirst(), c.fence(), "still broken", POLICY);
    Circuit again = store.provisioning().circuit(tpl);
    assertThat(again.state()).isEqualTo(Circuit.State.OPEN);
    assertThat(again.trips()).isEqualTo(2);
    assertThat(Duration.between(clock.instant(), again.openUntil()))
        .isBetween(Duration.ofSeconds(10), Duration.ofSeconds(20));
  }

  @Test
  void backoffIsCappedWhateverTheNumberOfTrips() {
    String tpl = template();
    provisionFails(tpl);
    provisionFails(tpl);
    provisionFails(tpl);
    for (int probe = 0; probe < 11; probe++) {
      clock.advance(
          Duration.between(clock.instant(), store.provisioning().circuit(tpl).openUntil()));
      provisionFails(tpl);
    }
    Circuit c = store.provisioning().circuit(tpl);
    assertThat(c.trips()).isEqualTo(12);
    assertThat(Duration.between(clock.instant(), c.openUntil()))
        .isBetween(Duration.ofSeconds(30), Duration.ofSeconds(60));
  }

  @Test
  void aSuccessfulProvisionClosesTheCircuitAndResetsTheBackoff() {
    String tpl = template();
    provisionFails(tpl);
    provisionFails(tpl);
    provisionFails(tpl);
    clock.advance(Duration.ofSeconds(11));
    String probe = reserve(tpl, 5).getFirst();
    ClaimResult.Claimed c =
        (ClaimResult.Claimed) store.claims().claimProvision(probe, Fixtures.LEASE);
    store.provisioning().allocatePort(probe, c.fence());
    store.provisioning().markStarted(probe, c.fence(), "trynow-" + probe);
    Circuit closed = store.provisioning().circuit(tpl);
    assertThat(closed.state()).isEqualTo(Circuit.State.CLOSED);
    assertThat(closed.failures()).isZero();
    assertThat(closed.trips()).isZero();
    assertThat(closed.lastError()).isEqualTo("health never passed");
    assertThat(reserve(tpl, 5)).hasSize(5);
  }

  @Test
  void instancesReservedBeforeTheCircuitOpenedAreCancelledAtClaimNotProvisioned() {
    String tpl = template();
    List<String> early = reserve(tpl, 2);
    provisionFails(tpl);
    provisionFails(tpl);
    provisionFails(tpl);
    for (String id : early) {
      assertThat(store.claims().claimProvision(id, Fixtures.LEASE))
          .isEqualTo(new WrongState(id, InstanceState.FAILED));
      Instance i = store.instance(id).orElseThrow();
      assertThat(i.state()).isEqualTo(InstanceState.FAILED);
      assertThat(i.lastError()).startsWith("template unavailable (circuit open)");
      assertThat(i.port()).isZero();
    }
  }

  @Test
  void aMissingImageOpensAtOnceWithoutProbesAndItsReturnClosesTheCircuit() {
    String tpl = template();
    assertThat(store.provisioning().imageChecked(tpl, true, "present", Duration.ofSeconds(30)))
        .isFalse();
    assertThat(store.provisioning().circuit(tpl).state()).isEqualTo(Circuit.State.CLOSED);

    assertThat(
            store
                .provisioning()
                .imageChecked(tpl, false, "image x:1 missing", Duration.ofSeconds(30)))
        .isTrue();
    Circuit open = store.provisioning().circuit(tpl);
    assertThat(open.state()).isEqualTo(Circuit.State.OPEN);
    assertThat(open.reason()).isEqualTo("image_missing");
    assertThat(reserve(tpl, 3)).isEmpty();
    // every check that still finds it missing holds the circuit open: no probe is wasted on it
    clock.advance(Duration.ofSeconds(20));
    assertThat(
            store
                .provisioning()
                .imageChecked(tpl, false, "image x:1 missing", Duration.ofSeconds(30)))
        .isFalse();
    clock.advance(Duration.ofSeconds(20));
    assertThat(reserve(tpl, 3)).isEmpty();

    assertThat(store.provisioning().imageChecked(tpl, true, "present", Duration.ofSeconds(30)))
        .isTrue();
    assertThat(store.provisioning().circuit(tpl).state()).isEqualTo(Circuit.State.CLOSED);
    assertThat(reserve(tpl, 3)).hasSize(3);
  }

  @Test
  void theImageComingBackDoesNotCloseACircuitThatFailuresOpened() {
    String tpl = template();
    provisionFails(tpl);
    provisionFails(tpl);
    provisionFails(tpl);
    assertThat(store.provisioning().imageChecked(tpl, true, "present", Duration.ofSeconds(30)))
        .isFalse();
    assertThat(store.provisioning().circuit(tpl).state()).isEqualTo(Circuit.State.OPEN);
  }

  @Test
  void whileNotClosedAcquireServesReadyInstancesButQueuesNobodyAndQueuedRequestsAreDropped() {
    String tpl = template();
    AcquireResult waiting = store.requests().acquire(Fixtures.acquireArgs(tpl, "10.0.0.1"));
    assertThat(waiting).isInstanceOf(AcquireResult.Queued.class);
    Instance started = Fixtures.started(store, tpl);
    store.provisioning().imageChecked(tpl, false, "image gone", Duration.ofSeconds(30));

    List<RequestRecord> dropped = store.requests().dropUnavailable(tpl, 100);
    String rid0 = ((AcquireResult.Queued) waiting).requestId();
    assertThat(dropped).extracting(RequestRecord::id).containsExactly(rid0);
    assertThat(dropped.getFirst().state()).isEqualTo(RequestState.UNAVAILABLE);
    assertThat(store.request(rid0).orElseThrow().state()).isEqualTo(RequestState.UNAVAILABLE);
    assertThat(store.poolStats(tpl).waiting()).isZero();
    assertThat(store.requests().dropUnavailable(tpl, 100)).isEmpty();

    // an instance that still becomes ready is handed out
    assertThat(store.provisioning().markReady(started.id(), null))
        .isInstanceOf(ReadyResult.Pooled.class);
    AcquireResult first = store.requests().acquire(Fixtures.acquireArgs(tpl, "10.0.0.3"));
    assertThat(first).isInstanceOf(AcquireResult.Assigned.class);
    // none left: refused with the time to wait, nothing written
    String rid = Ids.newRequestId();
    AcquireResult refused =
        store.requests().acquire(Fixtures.acquireArgs(rid, tpl, "10.0.0.4", Fixtures.TOKEN));
    assertThat(refused).isInstanceOf(AcquireResult.Unavailable.class);
    AcquireResult.Unavailable u = (AcquireResult.Unavailable) refused;
    assertThat(u.retryAfter()).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(30));
    assertThat(u.lastError()).isEqualTo("image gone");
    assertThat(store.request(rid)).isEmpty();

    // closed again: visitors queue as before, and nothing is dropped
    store.provisioning().imageChecked(tpl, true, "present", Duration.ofSeconds(30));
    assertThat(store.requests().acquire(Fixtures.acquireArgs(tpl, "10.0.0.5")))
        .isInstanceOf(AcquireResult.Queued.class);
    assertThat(store.requests().dropUnavailable(tpl, 100)).isEmpty();
  }

  @Test
  void manyReplicasReservingAtOnceMakeOneProbe() throws Exception {
    String tpl = template();
    provisionFails(tpl);
    provisionFails(tpl);
    provisionFails(tpl);
    clock.advance(Duration.ofSeconds(11));
    ConcurrentLinkedQueue<String> created = new ConcurrentLinkedQueue<>();
    Hammer.run(16, 20, (t, i) -> created.addAll(reserve(tpl, 4)));
    assertThat(created).hasSize(1);
  }

  @Test
  void badArgumentsAreRejectedBeforeAnythingIsWritten() {
    String tpl = template();
    String id = reserve(tpl, 1).getFirst();
    ClaimResult.Claimed c = (ClaimResult.Claimed) store.claims().claimProvision(id, Fixtures.LEASE);
    String fence = String.valueOf(c.fence());
    String now = String.valueOf(clock.millis());
    assertThatThrownBy(() ->
            store
                .client()
                .call("mark_failed", now, id, fence, "x", "1000", "3", "10", "20", "1000"))
        .hasMessageContaining("BADARG");
    assertThatThrownBy(() ->
            store.client().call("mark_failed", now, id, "0", "x", "1000", "3", "10", "20", "1"))
        .hasMessageContaining("BADARG");
    assertThat(store.instance(id).orElseThrow().state()).isEqualTo(InstanceState.PROVISIONING);
    assertThatThrownBy(() -> store.client().call("circuit_image", now, tpl, "2", "x", "1000"))
        .hasMessageContaining("BADARG");
    assertThat(store.provisioning().circuit(tpl).state()).isEqualTo(Circuit.State.CLOSED);
    store.provisioning().markFailed(id, c.fence(), "cleanup");
  }
}
