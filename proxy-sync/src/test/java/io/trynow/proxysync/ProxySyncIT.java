package io.trynow.proxysync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.quarkus.arc.ClientProxy;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trynow.model.Ids;
import io.trynow.model.InstanceEventKind;
import io.trynow.model.InstanceState;
import io.trynow.model.Json;
import io.trynow.model.RequestEventKind;
import io.trynow.model.Subjects;
import io.trynow.platform.endpoints.Endpoints;
import io.trynow.platform.messaging.InstanceEvents;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.state.AcquireArgs;
import io.trynow.platform.state.AcquireResult;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.Store;
import io.trynow.proxysync.caddy.CaddyAdmin;
import io.trynow.proxysync.caddy.CaddyRoutes;
import io.trynow.proxysync.caddy.Route;
import io.trynow.proxysync.caddy.ServerConfig;
import io.trynow.proxysync.config.CaddyConfig;
import io.trynow.proxysync.reconcile.RouteSync;
import io.trynow.proxysync.support.Demos;
import io.trynow.proxysync.support.Http;
import io.trynow.proxysync.support.SampleContainers;
import io.trynow.testsupport.RealServersResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * proxy-sync as it runs: the event consumer and the sync loop against real NATS, Valkey, Caddy and
 * sample containers. Instances are brought to {@code started} through the store, as the provisioner
 * does, and {@code instance.<id>.started} is published.
 */
@QuarkusTest
@WithTestResource(RealServersResource.class)
class ProxySyncIT {

  private static SampleContainers containers;

  @Inject Store store;
  @Inject Publisher publisher;
  @Inject CaddyAdmin admin;
  @Inject CaddyConfig caddy;
  @Inject Endpoints endpoints;
  @Inject MeterRegistry metrics;
  @Inject RouteSync routeSync;
  @Inject CaddyRoutes caddyRoutes;

  @ConfigProperty(name = "trynow.valkey.prefix")
  String prefix;

  @ConfigProperty(name = "trynow.ports.first")
  int portsFirst;

  @ConfigProperty(name = "trynow.ports.last")
  int portsLast;

  @ConfigProperty(name = "trynow.nats.url")
  String natsUrl;

  private Demos demos;
  private Connection nats;
  private final List<String> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    if (containers == null) {
      containers = new SampleContainers(prefix);
    }
    demos = new Demos(store, containers, portsFirst, portsLast);
    nats = Nats.connect(natsUrl);
    Dispatcher d = nats.createDispatcher(m -> events.add(m.getSubject()));
    d.subscribe(Subjects.EVENTS_ALL);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    nats.close();
  }

  @AfterAll
  static void removeContainers() {
    if (containers != null) {
      containers.close();
    }
  }

  private void publishStarted(String id) {
    Instance i = store.instance(id).orElseThrow();
    publisher.publish(InstanceEvents.of(InstanceEventKind.STARTED, i, null));
  }

  private InstanceState state(String id) {
    return store.instance(id).orElseThrow().state();
  }

  private Http.Answer viaCaddy(String id) {
    return Http.get("http://127.0.0.1:" + endpoints.caddyHttpPort() + "/", id + ".demo.localhost");
  }

  private List<String> routeIds() {
    return ServerConfig.read(
            Json.MAPPER.valueToTree(
                readTree(
                    admin
                        .exchange(
                            "GET", "/config/apps/http/servers/" + caddy.serverName(), null, null)
                        .body())))
        .order();
  }

  private static Object readTree(String body) {
    try {
      return Json.MAPPER.readTree(body);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void startedEventRoutesToTheContainerThenMarksReadyAndSaysSo() {
    String id = demos.started();

    publishStarted(id);

    await().atMost(Duration.ofSeconds(15)).until(() -> state(id) == InstanceState.READY);
    Http.Answer page = viaCaddy(id);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("trynow sample demo");
    assertThat(store.instance(id).orElseThrow().url())
        .isEqualTo("http://" + id + ".demo.localhost:" + endpoints.caddyHttpPort());
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> events.contains(Subjects.instanceEvent(id, InstanceEventKind.READY)));
  }

  @Test
  void aWaitingVisitorGetsTheInstanceAndBothEventsArePublished() {
    String requestId = Ids.newRequestId();
    // a template of its own: no ready instance of another test can serve the request
    String template = "queue-" + Ids.newInstanceId().substring(1, 7);
    AcquireResult queued =
        store
            .requests()
            .acquire(
                new AcquireArgs(
                    requestId,
                    template,
                    "0123456789abcdef0123456789abcdef",
                    "127.0.0.1",
                    Duration.ofMinutes(5),
                    Duration.ofMinutes(30),
                    100,
                    0));
    assertThat(queued).isInstanceOf(AcquireResult.Queued.class);
    String id = demos.started(template);

    publishStarted(id);

    await().atMost(Duration.ofSeconds(15)).until(() -> state(id) == InstanceState.ASSIGNED);
    assertThat(store.instance(id).orElseThrow().requestId()).isEqualTo(requestId);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() ->
            assertThat(events)
                .contains(
                    Subjects.instanceEvent(id, InstanceEventKind.ASSIGNED),
                    Subjects.requestEvent(requestId, RequestEventKind.ASSIGNED)));
    assertThat(viaCaddy(id).body()).contains("trynow sample demo");
  }

  @Test
  void duplicateAndConcurrentStartedEventsCoalesceAndNeverDuplicateARoute() {
    Counter writes = metrics.counter(ProxySyncMetrics.CADDY_WRITES, "outcome", "ok");
    await().atMost(Duration.ofSeconds(10)).until(() -> syncIdle(writes));
    double before = writes.count();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      ids.add(demos.startedWithoutContainer());
    }

    for (int round = 0; round < 3; round++) {
      ids.parallelStream().forEach(this::publishStarted);
    }

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> ids.stream().allMatch(id -> state(id) == InstanceState.READY));
    List<String> order = routeIds();
    assertThat(order).doesNotHaveDuplicates();
    assertThat(order).containsAll(ids.stream().map(id -> "trynow-" + id).toList());
    assertThat(order).last().isEqualTo(ServerConfig.NOT_FOUND_ID);
    double used = writes.count() - before;
    assertThat(used).as("90 events for 30 routes coalesced into few writes").isLessThan(15);
  }

  @Test
  void anInstanceBeingProvisionedIsRoutedAheadAndItsStartedEventNeedsNoWrite() {
    Counter writes = metrics.counter(ProxySyncMetrics.CADDY_WRITES, "outcome", "ok");
    String id = demos.provisioningWithPort();
    // the next cycle (the reconcile loop here; in a crowd, another instance's started event)
    // writes the route ahead
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(() -> assertThat(routeIds()).contains("trynow-" + id));
    assertThat(state(id)).as("routed ahead, not ready").isEqualTo(InstanceState.PROVISIONING);
    Instance provisioning = store.instance(id).orElseThrow();
    assertThat(routeSync.routedNow(provisioning)).isTrue();
    assertThat(
            caddyRoutes.holds(
                Route.of(id, endpoints.demoDomain(), "127.0.0.1", provisioning.port() + 1)))
        .as("a route to another upstream is not this instance's route")
        .isFalse();
    await().atMost(Duration.ofSeconds(10)).until(() -> syncIdle(writes));
    double before = writes.count();

    // CaddyRoutes.apply is synchronized: holding its monitor holds the sync loop in a cycle of our
    // own, so a cycle asked for meanwhile stays asked for (RouteSync.requested) until we let go
    synchronized (ClientProxy.unwrap(caddyRoutes)) {
      routeSync.request();
      await().atMost(Duration.ofSeconds(5)).until(() -> routeSync.running() != null);
      assertThat(routeSync.requested()).isFalse();
      demos.markStarted(id);
      publishStarted(id);
      await()
          .pollInterval(Duration.ofMillis(5))
          .atMost(Duration.ofSeconds(15))
          .until(() -> state(id) == InstanceState.READY);
      // its container freed an engine slot: the instances prepared behind it (claimed, placed and
      // given a port ahead) need their routes before their own started events
      await()
          .alias("a started event that found its route asks for a cycle, without waiting for it")
          .atMost(Duration.ofSeconds(3))
          .until(routeSync::requested);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> syncIdle(writes));
    assertThat(writes.count() - before)
        .as("the route was in Caddy already: confirmed without a write")
        .isZero();
  }

  @Test
  void aStartedEventDuringTheCycleThatWritesItsRouteIsMarkedReadyByThatCycle() throws Exception {
    Counter cycles = metrics.counter(ProxySyncMetrics.SYNC_CYCLES, "outcome", "ok");
    Counter writes = metrics.counter(ProxySyncMetrics.CADDY_WRITES, "outcome", "ok");
    await().atMost(Duration.ofSeconds(10)).until(() -> syncIdle(writes));
    String id;
    double before;
    // CaddyRoutes.apply is synchronized: holding its monitor holds a cycle between its Valkey read
    // and its Caddy write
    synchronized (ClientProxy.unwrap(caddyRoutes)) {
      id = demos.provisioningWithPort();
      routeSync.request();
      await().atMost(Duration.ofSeconds(5)).until(() -> routeSync.running() != null);
      before = cycles.count();
      // meanwhile its container turned healthy: the started event finds no route in Caddy yet
      demos.markStarted(id);
      publishStarted(id);
      Thread.sleep(300);
    }
    String started = id;
    await()
        .pollInterval(Duration.ofMillis(5))
        .atMost(Duration.ofSeconds(15))
        .until(() -> state(started) != InstanceState.STARTED);
    double after = cycles.count();
    assertThat(state(id)).isEqualTo(InstanceState.READY);
    assertThat(after - before)
        .as("marked ready by the cycle that wrote its route, not by one more cycle after it")
        .isEqualTo(1);
  }

  @Test
  void aRouteWrittenAheadGoesWhenItsProvisionFails() {
    String id = demos.provisioningWithPort();
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(() -> assertThat(routeIds()).contains("trynow-" + id));

    store.lifecycle().forceTerminate(id, "test"); // provisioning -> failed
    publisher.publish(
        InstanceEvents.of(InstanceEventKind.FAILED, store.instance(id).orElseThrow(), "test"));

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(routeIds()).doesNotContain("trynow-" + id));
  }

  private boolean syncIdle(Counter writes) throws InterruptedException {
    double a = writes.count();
    Thread.sleep(300);
    return writes.count() == a;
  }

  @Test
  void reconcileRepairsDriftBothWays() {
    String id = demos.startedWithoutContainer();
    publishStarted(id);
    await().atMost(Duration.ofSeconds(15)).until(() -> state(id) == InstanceState.READY);
    String stray = Ids.newInstanceId();
    String serverPath = "/config/apps/http/servers/" + caddy.serverName();

    assertThat(admin.exchange("DELETE", "/id/trynow-" + id, null, null).status()).isEqualTo(200);
    String foreign =
        ServerConfig.route(Route.of(stray, "demo.localhost", "127.0.0.1", 1), null).toString();
    assertThat(admin.exchange("POST", serverPath + "/routes", foreign, null).status())
        .isEqualTo(200);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() ->
            assertThat(routeIds()).contains("trynow-" + id).doesNotContain("trynow-" + stray));
  }

  @Test
  void aStartedInstanceWithNoEventIsRoutedAndMarkedReadyByTheReconcileLoop() {
    // the crash between route and mark_ready, or a started event that never came
    String id = demos.started();

    await().atMost(Duration.ofSeconds(15)).until(() -> state(id) == InstanceState.READY);
    assertThat(viaCaddy(id).body()).contains("trynow sample demo");
  }

  @Test
  void terminatingRemovesTheRoute() {
    String id = demos.startedWithoutContainer();
    publishStarted(id);
    await().atMost(Duration.ofSeconds(15)).until(() -> state(id) == InstanceState.READY);
    assertThat(routeIds()).contains("trynow-" + id);

    store.lifecycle().forceTerminate(id, "test");
    Instance i = store.instance(id).orElseThrow();
    publisher.publish(InstanceEvents.of(InstanceEventKind.TERMINATING, i, "test"));

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(routeIds()).doesNotContain("trynow-" + id));
    assertThat(viaCaddy(id).status()).isEqualTo(404);
  }

  @Test
  void caddyKilledAndRestartedEmptyGetsEveryRouteBackWithinSeconds() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String id = demos.started();
      publishStarted(id);
      ids.add(id);
    }
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> ids.stream().allMatch(id -> state(id) == InstanceState.READY));

    RealServersResource.servers().caddy().kill();
    RealServersResource.servers().caddy().start();
    Instant restarted = Instant.now();
    assertThat(routeIds()).isEmpty();

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(() -> {
          for (String id : ids) {
            assertThat(viaCaddy(id).body()).contains("trynow sample demo");
          }
        });
    assertThat(Duration.between(restarted, Instant.now())).isLessThan(Duration.ofSeconds(10));
  }
}
