package io.trynow.platform.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trynow.model.InstanceState;
import io.trynow.testsupport.RealServers.Kind;
import io.trynow.testsupport.RealServersExtension.WithRealServers;
import io.trynow.testsupport.ValkeyServer;
import java.time.Duration;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

/**
 * {@code trynow.valkey.wait-replicas}: a state change counts only once that many replicas have it
 * ({@code WAIT}); a primary without them makes the change fail with a message that says it may be
 * lost, while reads (functions registered {@code no-writes}) never wait.
 */
@WithRealServers(Kind.VALKEY)
class ReplicaWaitIT {

  @Test
  void aChangeNoReplicaAcknowledgedFailsAndReadsDoNotWait(ValkeyServer valkey) {
    String prefix = Fixtures.prefix("wait");
    try (Store plain = Store.connect(valkey.url(), prefix);
        Store waiting =
            new Store(
                ValkeyClient.standalone(
                    valkey.url(), 4, Duration.ofSeconds(5), 1, Duration.ofMillis(200)),
                prefix,
                InstantSource.system(),
                Store.DEFAULT_RETENTION)) {
      plain.capacity().initPorts(23000, 23009);
      Instance ready = Fixtures.ready(plain, "waiting");

      // the server has no replica: WAIT 1 answers 0 after 200 ms
      assertThatThrownBy(
              () -> waiting.requests().acquire(Fixtures.acquireArgs("waiting", "10.0.0.9")))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("0 of 1 replica(s)")
          .hasMessageContaining("may be lost");
      // reads answer at once
      long t0 = System.nanoTime();
      assertThat(waiting.instance(ready.id())).isPresent();
      assertThat(waiting.ids(InstanceState.READY)).isNotNull();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(200 * 2));
      assertThat(valkey.call("WAIT", "0", "0")).isEqualTo(0L);
      assertThat(ConsistencyChecker.check(plain)).isEmpty();
    }
  }
}
