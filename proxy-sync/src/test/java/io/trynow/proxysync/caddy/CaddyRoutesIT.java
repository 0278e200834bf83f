package io.trynow.proxysync.caddy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.trynow.model.Ids;
import io.trynow.model.Json;
import io.trynow.platform.endpoints.Endpoints;
import io.trynow.proxysync.config.CaddyConfig;
import io.trynow.proxysync.support.AdapterOnlyProfile;
import io.trynow.proxysync.support.Http;
import io.trynow.proxysync.support.SampleContainers;
import io.trynow.testsupport.CaddyServer;
import io.trynow.testsupport.RealServersResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Caddy adapter against a real Caddy 2.6 and real sample containers: no loops running, the
 * tests drive {@link CaddyRoutes#apply} directly.
 */
@QuarkusTest
@TestProfile(AdapterOnlyProfile.class)
@WithTestResource(RealServersResource.class)
class CaddyRoutesIT {

  private static final SampleContainers CONTAINERS =
      new SampleContainers("proxyit-" + Ids.newInstanceId().substring(1, 9));

  @Inject CaddyRoutes routes;
  @Inject CaddyAdmin admin;
  @Inject CaddyConfig config;
  @Inject Endpoints endpoints;
  @Inject CircuitBreakerMaintenance breakers;

  @BeforeEach
  void caddyUpAndBreakerClosed() {
    CaddyServer caddy = RealServersResource.servers().caddy();
    if (!caddy.isRunning()) {
      caddy.start();
    }
    breakers.resetAll();
  }

  @AfterAll
  static void removeContainers() {
    CONTAINERS.close();
  }

  private Route route(String id, int port) {
    return Route.of(id, endpoints.demoDomain(), "127.0.0.1", port);
  }

  private Http.Answer viaCaddy(String host) {
    return Http.get("http://127.0.0.1:" + endpoints.caddyHttpPort() + "/", host);
  }

  @Test
  void routeProxiesToARealSampleContainerAndUnknownHostsGet404() {
    String id = Ids.newInstanceId();
    int port = CONTAINERS.start(id);

    CaddyRoutes.Applied applied = routes.apply(List.of(route(id, port)));

    assertThat(applied.routed()).containsExactly(id);
    Http.Answer page = viaCaddy(id + ".demo.localhost");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("trynow sample demo");
    Http.Answer unknown = viaCaddy(Ids.newInstanceId() + ".demo.localhost");
    assertThat(unknown.status()).as("catch-all instead of Caddy's empty 200").isEqualTo(404);
    assertThat(unknown.body()).as("a page, not a bare status").contains("No such demo");

    routes.apply(List.of());
    assertThat(viaCaddy(id + ".demo.localhost").status()).isEqualTo(404);
  }

  @Test
  void applyingTheSameSetAgainWritesNothing() {
    List<Route> set = List.of(route(Ids.newInstanceId(), 20001));
    routes.apply(set);
    assertThat(routes.apply(set).writes()).isZero();
  }

  @Test
  void blindAppendsAndForeignRoutesAreRepaired_DriftBothWays() {
    String kept = Ids.newInstanceId();
    String lost = Ids.newInstanceId();
    String stray = Ids.newInstanceId();
    routes.apply(List.of(route(kept, 20001), route(lost, 20002)));
    String serverPath = "/config/apps/http/servers/" + config.serverName();
    // drift: someone deletes one route, appends a duplicate of another and a route nobody wants
    assertThat(admin.exchange("DELETE", "/id/trynow-" + lost, null, null).status()).isEqualTo(200);
    String dup = ServerConfig.route(route(kept, 20001), null).toString();
    assertThat(admin.exchange("POST", serverPath + "/routes", dup, null).status()).isEqualTo(200);
    String foreign = ServerConfig.route(route(stray, 20003), null).toString();
    assertThat(admin.exchange("POST", serverPath + "/routes", foreign, null).status())
        .isEqualTo(200);
    assertThat(ServerConfig.read(routes.server()).duplicates()).isEqualTo(1);

    CaddyRoutes.Applied applied = routes.apply(List.of(route(kept, 20001), route(lost, 20002)));

    assertThat(applied.routed()).containsExactlyInAnyOrder(kept, lost);
    assertNoDuplicateIdsAndCatchAllLast(routes.server());
  }

  @Test
  void concurrentReplicasAndDuplicateEventsNeverLeaveADuplicateId() throws Exception {
    // Two independent writers (as two proxy-sync replicas would be), each applying many times.
    CaddyRoutes other = new CaddyRoutes(admin, new SimpleMeterRegistry(), config, endpoints);
    List<Route> set = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      set.add(route(Ids.newInstanceId(), 20100 + i));
    }
    AtomicBoolean storm = new AtomicBoolean(true);
    List<String> duplicatesSeen = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(5);
    try {
      Future<?> watcher =
          pool.submit(() -> {
            while (storm.get()) {
              JsonNode server = routes.server();
              if (server != null && ServerConfig.read(server).duplicates() > 0) {
                duplicatesSeen.add(server.toString());
              }
            }
          });
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> writers = new ArrayList<>();
      for (CaddyRoutes writer : List.of(routes, other, routes, other)) {
        writers.add(
            pool.submit(() -> {
              go.await();
              for (int i = 0; i < 10; i++) {
                // each "event" carries a growing prefix of the set, as events arrive
                writer.apply(set.subList(0, Math.min(set.size(), 5 + i * 2)));
              }
              writer.apply(set);
              return null;
            }));
      }
      go.countDown();
      for (Future<?> f : writers) {
        f.get();
      }
      storm.set(false);
      watcher.get();
    } finally {
      pool.shutdownNow();
    }

    assertThat(duplicatesSeen).as("a duplicate @id was visible in Caddy").isEmpty();
    JsonNode server = routes.server();
    assertNoDuplicateIdsAndCatchAllLast(server);
    assertThat(ServerConfig.read(server).instanceIds())
        .containsExactlyInAnyOrderElementsOf(set.stream().map(Route::instanceId).toList());
  }

  @Test
  void seed000M10_concurrentFirstWritesOnAnEmptyCaddyAllSucceedWithOneServer() throws Exception {
    RealServersResource.servers().caddy().restart(true);
    List<Route> set =
        List.of(
            route(Ids.newInstanceId(), 20001),
            route(Ids.newInstanceId(), 20002),
            route(Ids.newInstanceId(), 20003));
    List<CaddyRoutes> writers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      writers.add(new CaddyRoutes(admin, new SimpleMeterRegistry(), config, endpoints));
    }
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(writers.size());
    List<Future<CaddyRoutes.Applied>> results = new ArrayList<>();
    try {
      for (CaddyRoutes w : writers) {
        results.add(
            pool.submit(() -> {
              go.await();
              return w.apply(set);
            }));
      }
      go.countDown();
      int created = 0;
      for (Future<CaddyRoutes.Applied> f : results) {
        CaddyRoutes.Applied a = f.get(); // none fails (the old system's other creators did)
        assertThat(a.routed()).hasSize(3);
        created += a.created() ? 1 : 0;
      }
      assertThat(created).as("the server was created exactly once").isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
    JsonNode servers =
        Json.MAPPER.readTree(admin.exchange("GET", "/config/apps/http/servers", null, null).body());
    assertThat(servers.size()).isEqualTo(1);
    assertNoDuplicateIdsAndCatchAllLast(routes.server());
  }

  @Test
  void caddyRestartedEmptyGetsTheServerAndRoutesBack() {
    String id = Ids.newInstanceId();
    int port = CONTAINERS.start(id);
    routes.apply(List.of(route(id, port)));

    RealServersResource.servers().caddy().restart(true);
    assertThat(routes.server()).as("restarted Caddy is empty").isNull();

    CaddyRoutes.Applied applied = routes.apply(List.of(route(id, port)));
    assertThat(applied.created()).isTrue();
    assertThat(applied.routed()).containsExactly(id);
    assertThat(viaCaddy(id + ".demo.localhost").body()).contains("trynow sample demo");
  }

  @Test
  void seed004F13_circuitBreakerOpensOnADeadCaddyAndClosesAfter() {
    List<Route> set = List.of(route(Ids.newInstanceId(), 20001));
    RealServersResource.servers().caddy().kill();

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> {
          assertThatThrownBy(() -> routes.apply(set))
              .isInstanceOfAny(CaddyUnavailableException.class, CircuitBreakerOpenException.class);
          assertThat(breakers.currentState(CaddyAdmin.BREAKER)).isEqualTo(CircuitBreakerState.OPEN);
        });
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> routes.apply(set)).isInstanceOf(CircuitBreakerOpenException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(500));

    RealServersResource.servers().caddy().start();

    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptionsInstanceOf(CircuitBreakerOpenException.class)
        .untilAsserted(() -> assertThat(routes.apply(set).routed()).hasSize(1));
    assertThat(breakers.currentState(CaddyAdmin.BREAKER)).isEqualTo(CircuitBreakerState.CLOSED);
  }

  @Test
  void olderCaddyWithoutStreamCloseDelayStillGetsRoutes() {
    // Caddy 2.6 rejects stream_close_delay: the adapter drops it and carries on.
    String id = Ids.newInstanceId();
    routes.apply(List.of(route(id, 20001)));
    JsonNode handler = routes.server().at("/routes/0/handle/0");
    assertThat(handler.path("handler").asText()).isEqualTo("reverse_proxy");
    assertThat(Set.of(id)).isEqualTo(routes.routed());
  }

  private static void assertNoDuplicateIdsAndCatchAllLast(JsonNode server) {
    ServerConfig.Actual actual = ServerConfig.read(server);
    assertThat(actual.duplicates()).isZero();
    assertThat(actual.order()).doesNotHaveDuplicates();
    assertThat(actual.order()).last().isEqualTo(ServerConfig.NOT_FOUND_ID);
  }
}
