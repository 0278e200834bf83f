package io.trynow.platform.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.model.Ids;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What counts is derivable from the records: counters corrupted in a real Valkey (as a crash that
 * lost the last second, or any bug, could leave them) are repaired by one function call each, and a
 * consistent store is left alone. The base class runs the consistency checker after each test.
 */
class IndexRepairIT extends StoreTestBase {

  private IndexRepair repair() {
    return new IndexRepair(store, clock);
  }

  private String base() {
    return "{" + store.prefix() + "}:";
  }

  private void cmd(String... args) {
    store.client().command(args);
  }

  @Test
  void aConsistentStoreIsLeftAlone() {
    String tpl = template();
    Fixtures.ready(store, tpl);
    Fixtures.assigned(store, tpl);
    Fixtures.provisioning(store, tpl);
    store.requests().acquire(Fixtures.acquireArgs(template(), "10.0.0.9")); // queued
    assertThat(repair().repair(false)).isEmpty();
    assertThat(repair().repair(true)).isEmpty();
  }

  @Test
  void readyAndInFlightCountsAreRebuiltFromTheRecords() {
    String tpl = template();
    Instance ready = Fixtures.ready(store, tpl);
    Instance prov = Fixtures.provisioning(store, tpl);
    PoolStats before = store.poolStats(tpl);
    String b = base();
    // the ready instance vanished from its count and its list; a phantom holds an in-flight slot;
    // the provisioning one counts twice (also as started); its lease index entry is lost
    cmd("SREM", b + "t:" + tpl + ":ready", ready.id());
    cmd("SREM", b + "state:ready", ready.id());
    cmd("LREM", b + "t:" + tpl + ":readylist", "0", ready.id());
    String phantom = Ids.newInstanceId();
    cmd("SADD", b + "t:" + tpl + ":provisioning", phantom);
    cmd("SADD", b + "state:provisioning", phantom);
    cmd("SADD", b + "t:" + tpl + ":started", prov.id());
    cmd("ZREM", b + "leases", prov.id());
    assertThat(store.poolStats(tpl)).isNotEqualTo(before);
    assertThat(ConsistencyChecker.check(store)).isNotEmpty();

    List<String> fixes = repair().instances(false);

    assertThat(fixes)
        .contains(
            "+t:" + tpl + ":ready " + ready.id(),
            "+t:" + tpl + ":readylist " + ready.id(),
            "-t:" + tpl + ":provisioning " + phantom,
            "-t:" + tpl + ":started " + prov.id(),
            "~leases " + prov.id());
    assertThat(store.poolStats(tpl)).isEqualTo(before);
    assertThat(repair().instances(false)).isEmpty();
    // the ready one is handed out again
    assertThat(store.requests().acquire(Fixtures.acquireArgs(tpl, "10.0.0.2")))
        .isInstanceOf(AcquireResult.Assigned.class);
  }

  @Test
  void aRecordMissingFromEveryIndexIsFoundByADeepPass() {
    String tpl = template();
    Instance a = Fixtures.assigned(store, tpl);
    String b = base();
    cmd("SREM", b + "t:" + tpl + ":assigned", a.id());
    cmd("SREM", b + "state:assigned", a.id());
    cmd("ZREM", b + "expiry", a.id());
    cmd("HDEL", b + "ports:used", String.valueOf(a.port()));
    cmd("SADD", b + "ports:free", String.valueOf(a.port()));
    // (the port is the sweeper's reclaim_ports business; put it back for the checker)
    assertThat(repair().instances(false)).isEmpty(); // no index names it any more
    assertThat(repair().instances(true))
        .contains("+t:" + tpl + ":assigned " + a.id(), "~expiry " + a.id());
    cmd("SREM", b + "ports:free", String.valueOf(a.port()));
    cmd("HSET", b + "ports:used", String.valueOf(a.port()), a.id());
  }

  @Test
  void perAddressSlotsAndQueuesAreRebuiltFromTheRequests() {
    String tpl = template();
    Instance held = Fixtures.assigned(store, tpl); // from 10.0.0.1
    AcquireArgs waiting = Fixtures.acquireArgs(template(), "10.0.0.7");
    store.requests().acquire(waiting); // queued (empty pool)
    String b = base();
    String ghost = Ids.newRequestId();
    // a slot of 10.0.0.1 held by a request that does not exist; the live one lost its slot;
    // the queued request dropped out of its queue and its slot
    cmd("SADD", b + "ip:10.0.0.1", ghost);
    cmd("SREM", b + "ip:10.0.0.1", held.requestId());
    cmd("SREM", b + "ip:10.0.0.7", waiting.requestId());
    cmd("LREM", b + "t:" + waiting.template() + ":queue", "0", waiting.requestId());

    // shallow: the addresses of live requests (10.0.0.1 through its assigned instance)
    List<String> fixes = repair().requests(false);
    assertThat(fixes).contains("-ip:10.0.0.1 " + ghost, "+ip:10.0.0.1 " + held.requestId());
    // the queued request no index names any more: the deep pass finds its record
    assertThat(repair().requests(true))
        .containsExactlyInAnyOrder(
            "+t:" + waiting.template() + ":queue " + waiting.requestId(),
            "+ip:10.0.0.7 " + waiting.requestId());
    assertThat(store.request(waiting.requestId()).orElseThrow().position()).isEqualTo(1);

    // a slot whose demo ended is given back (the address may start another)
    store.lifecycle().release(held.id(), Fixtures.TOKEN);
    cmd("SADD", b + "ip:10.0.0.1", held.requestId());
    assertThat(repair().requests(true)).containsExactly("-ip:10.0.0.1 " + held.requestId());
    long f =
        ((ClaimResult.Claimed) store.claims().claimTerminate(held.id(), Fixtures.LEASE)).fence();
    store.lifecycle().markTerminated(held.id(), f);
  }
}
