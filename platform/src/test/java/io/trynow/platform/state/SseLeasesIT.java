package io.trynow.platform.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * Event stream slots counted in Valkey for every gateway replica together ({@code
 * sse_streams.lua}): both caps hold across replicas, a check-and-take is atomic under contention, a
 * closed slot comes back at once, and the slots of a replica that died (it stops renewing) lapse
 * after their lease while a live replica's renewed ones stay.
 */
class SseLeasesIT extends StoreTestBase {

  private static final Duration LEASE = Duration.ofSeconds(30);

  /** A second gateway replica: its own connection, the same installation (prefix) and clock. */
  private Store otherReplica() {
    return Store.connect(valkey.url(), store.prefix(), clock);
  }

  @Test
  void theCapsCountTheStreamsOfEveryReplica() {
    try (Store b = otherReplica()) {
      StreamLease.Held a1 = held(store.limits().sseOpen("198.51.100.1", LEASE, 2, 3));
      held(store.limits().sseOpen("198.51.100.1", LEASE, 2, 3));
      // the IP has its two on replica A: replica B refuses a third
      assertThat(b.limits().sseOpen("198.51.100.1", LEASE, 2, 3))
          .isEqualTo(new StreamLease.Refused(StreamLease.Cap.IP, 2));
      StreamLease.Held b1 = held(b.limits().sseOpen("198.51.100.2", LEASE, 2, 3));
      assertThat(b1.openTotal()).isEqualTo(3);
      assertThat(b1.openFromIp()).isEqualTo(1);
      // three open in all: any replica refuses any IP
      assertThat(store.limits().sseOpen("198.51.100.3", LEASE, 2, 3))
          .isEqualTo(new StreamLease.Refused(StreamLease.Cap.TOTAL, 3));

      // a closed stream's slot comes back at once, to any replica
      assertThat(store.limits().sseClose(a1)).isTrue();
      assertThat(store.limits().sseClose(a1)).as("closing twice").isFalse();
      held(b.limits().sseOpen("198.51.100.1", LEASE, 2, 3));
    }
  }

  @Test
  void theSlotsOfAReplicaThatDiedLapseAndALiveReplicasStay() {
    try (Store b = otherReplica()) {
      // replica A holds two streams and then dies (it never renews); B holds one and renews
      held(store.limits().sseOpen("198.51.100.11", LEASE, 2, 3));
      held(store.limits().sseOpen("198.51.100.11", LEASE, 2, 3));
      StreamLease.Held live = held(b.limits().sseOpen("198.51.100.12", LEASE, 2, 3));
      assertThat(b.limits().sseOpen("198.51.100.13", LEASE, 2, 3))
          .isInstanceOf(StreamLease.Refused.class);

      clock.advance(Duration.ofSeconds(20));
      assertThat(b.limits().sseRenew(LEASE, Map.of(live.id(), live.clientIp()))).isEqualTo(1);
      clock.advance(Duration.ofSeconds(15)); // A's leases (30 s) lapsed; B's runs to 50 s

      StreamLease.Held again = held(b.limits().sseOpen("198.51.100.11", LEASE, 2, 3));
      assertThat(again.openFromIp()).as("A's two lapsed").isEqualTo(1);
      assertThat(again.openTotal()).as("B's renewed one and this one").isEqualTo(2);
    }
  }

  @Test
  void concurrentOpensTakeExactlyTheFreeSlots() throws Exception {
    ConcurrentLinkedQueue<StreamLease> results = new ConcurrentLinkedQueue<>();
    Hammer.run(
        16, 4, (t, i) -> results.add(store.limits().sseOpen("198.51.100.21", LEASE, 5, 100)));
    assertThat(results).hasSize(64);
    assertThat(results.stream().filter(StreamLease.Held.class::isInstance)).hasSize(5);
    assertThat(results.stream().filter(StreamLease.Refused.class::isInstance))
        .allMatch(r -> ((StreamLease.Refused) r).cap() == StreamLease.Cap.IP);
  }

  private static StreamLease.Held held(StreamLease l) {
    assertThat(l).isInstanceOf(StreamLease.Held.class);
    return (StreamLease.Held) l;
  }
}
