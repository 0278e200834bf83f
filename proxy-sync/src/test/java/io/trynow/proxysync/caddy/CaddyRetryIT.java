package io.trynow.proxysync.caddy;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.trynow.model.Ids;
import io.trynow.proxysync.support.FlakyTcpProxy;
import io.trynow.testsupport.RealServersResource;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Transient errors are retried, not failed at once: the admin API is reached through a proxy that
 * resets connections on demand; a transient fault is retried and the apply succeeds, without
 * opening the circuit breaker.
 */
@QuarkusTest
@TestProfile(CaddyRetryIT.ThroughFlakyProxy.class)
@WithTestResource(RealServersResource.class)
class CaddyRetryIT {

  static final FlakyTcpProxy PROXY = new FlakyTcpProxy();

  /** The adapter talks to Caddy through {@link #PROXY}; no loops. */
  public static class ThroughFlakyProxy implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "trynow.caddy.admin-url",
          "http://127.0.0.1:" + PROXY.port(),
          "trynow.proxy-sync.loops-enabled",
          "false");
    }
  }

  @Inject CaddyRoutes routes;
  @Inject CircuitBreakerMaintenance breakers;

  @BeforeEach
  void forwardToCaddy() {
    FlakyTcpProxy.targetPort().set(RealServersResource.servers().caddy().port());
  }

  @Test
  void seed004F15_aTransientConnectionResetIsRetriedAndTheApplySucceeds() {
    String id = Ids.newInstanceId();
    routes.apply(List.of()); // server created, connections warm
    int before = PROXY.dropped();

    PROXY.dropNext(2);
    CaddyRoutes.Applied applied =
        routes.apply(List.of(Route.of(id, "demo.localhost", "127.0.0.1", 20001)));

    assertThat(PROXY.dropped() - before).as("faults injected").isEqualTo(2);
    assertThat(applied.routed()).containsExactly(id);
    assertThat(breakers.currentState(CaddyAdmin.BREAKER)).isEqualTo(CircuitBreakerState.CLOSED);
  }

  /**
   * A change costs Caddy one read and one guarded write, and is not read back (before: a third
   * request, the whole server object again); what apply returns is still what Caddy holds.
   */
  @Test
  void aChangeIsOneReadAndOneWriteAndItsResultIsWhatCaddyHolds() {
    String kept = Ids.newInstanceId();
    String added = Ids.newInstanceId();
    routes.apply(List.of(Route.of(kept, "demo.localhost", "127.0.0.1", 20002)));
    int before = PROXY.accepted();

    CaddyRoutes.Applied applied =
        routes.apply(
            List.of(
                Route.of(kept, "demo.localhost", "127.0.0.1", 20002),
                Route.of(added, "demo.localhost", "127.0.0.1", 20003)));

    assertThat(PROXY.accepted() - before).as("admin requests of one change").isEqualTo(2);
    assertThat(applied.writes()).isEqualTo(1);
    assertThat(applied.routed()).containsExactlyInAnyOrder(kept, added);
    assertThat(routes.routed()).isEqualTo(applied.routed());

    int unchanged = PROXY.accepted();
    assertThat(
            routes
                .apply(
                    List.of(
                        Route.of(kept, "demo.localhost", "127.0.0.1", 20002),
                        Route.of(added, "demo.localhost", "127.0.0.1", 20003)))
                .writes())
        .isZero();
    assertThat(PROXY.accepted() - unchanged).as("admin requests when nothing changed").isEqualTo(1);
  }
}
