package io.trynow.platform.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.model.Ids;
import io.trynow.testsupport.RealServers.Kind;
import io.trynow.testsupport.RealServersExtension.WithRealServers;
import io.trynow.testsupport.ValkeyServer;
import io.vertx.redis.client.Command;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** No port leaks: a port held by no live instance is found and freed by the repair function. */
@WithRealServers(Kind.VALKEY)
class ReclaimPortsIT {

  private Store store;

  @BeforeEach
  void open(ValkeyServer valkey) {
    store = Store.connect(valkey.url(), Fixtures.prefix("reclaim"));
    store.capacity().initPorts(30000, 30009);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void portsOfMissingOrEndedHoldersAreFreedAndLiveOnesKept() {
    Instance live = Fixtures.provisioning(store, "hello");
    Instance ended = Fixtures.provisioning(store, "hello");
    store.provisioning().markFailed(ended.id(), ended.fence(), "test");
    String base = "{" + store.prefix() + "}:";
    // damage from outside, on two free ports: a used port whose holder never existed, and one
    // recorded for a failed holder
    List<Integer> free =
        IntStream.rangeClosed(30000, 30009).filter(p -> p != live.port()).limit(2).boxed().toList();
    String p1 = String.valueOf(free.get(0));
    String p2 = String.valueOf(free.get(1));
    store.client().command(Command.SREM, base + "ports:free", p1, p2);
    store.client().command(Command.HSET, base + "ports:used", p1, Ids.newInstanceId());
    store.client().command(Command.HSET, base + "ports:used", p2, ended.id());
    assertThat(ConsistencyChecker.check(store)).isNotEmpty();

    assertThat(store.capacity().reclaimPorts(100)).containsOnlyKeys(free.get(0), free.get(1));

    assertThat(store.capacity().reclaimPorts(100)).isEmpty();
    assertThat(store.instance(live.id()).orElseThrow().port()).isEqualTo(live.port());
    assertThat(store.capacity().initPorts(30000, 30009).used()).isEqualTo(1);
    assertThat(ConsistencyChecker.check(store)).isEmpty();
  }
}
