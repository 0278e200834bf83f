package io.trynow.pool.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.api.StreamInfo;
import io.nats.client.api.StreamInfoOptions;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trynow.model.AcquireRequest;
import io.trynow.model.Ids;
import io.trynow.model.InstanceState;
import io.trynow.model.Subjects;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.nats.NatsClient;
import io.trynow.platform.state.ConsistencyChecker;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.PoolStats;
import io.trynow.platform.state.Store;
import io.trynow.platform.template.TemplatesConfig;
import io.trynow.platform.testing.Pools;
import io.trynow.pool.config.PoolSettings;
import io.trynow.pool.replenish.Replenisher;
import io.trynow.testsupport.RealServersResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pool targets: replenishment never overshoots, lost provision messages are sent again. */
@QuarkusTest
@WithTestResource(RealServersResource.class)
class ReplenishIT {

  static final Duration WAIT = Duration.ofSeconds(20);

  @Inject Store store;
  @Inject Publisher publisher;
  @Inject PoolSettings settings;
  @Inject NatsClient nats;
  @Inject io.trynow.pool.PoolMetrics metrics;
  @Inject io.trynow.pool.acquire.QueueServer queueServer;

  @BeforeAll
  static void ports() {
    try (Store s =
        Store.connect(RealServersResource.servers().valkey().url(), RealServersResource.prefix())) {
      s.capacity().initPorts(30000, 39999);
    }
  }

  /** Provision messages stored for {@code template} (work-queue stream: none is consumed here). */
  long provisionMessages(String template) throws Exception {
    Connection c = nats.connection(Duration.ofSeconds(5));
    StreamInfo info =
        c.jetStreamManagement()
            .getStreamInfo(
                Subjects.STREAM_PROVISION,
                StreamInfoOptions.filterSubjects(Subjects.provision(template)));
    Map<String, Long> subjects = info.getStreamState().getSubjectMap();
    return subjects.getOrDefault(Subjects.provision(template), 0L);
  }

  @Test
  void finding5_concurrentReplenishersOnManyReplicasNeverOverProvision() throws Exception {
    // "warm"'s settings: min-ready 3, max-in-flight 2, max-total 5. Three "replicas", 16 threads
    // each, all replenishing at once while instances become ready. Under a name of its own, which
    // this service's own replenisher does not know: it reserves up to the whole target at its
    // start, and the replicas here would then find nothing to do.
    TemplatesConfig.Template warm = settings.templates().get("warm");
    String name = "warm-race";
    List<Replenisher> replicas =
        List.of(
            new Replenisher(store, publisher, settings, metrics, queueServer),
            new Replenisher(store, publisher, settings, metrics, queueServer),
            new Replenisher(store, publisher, settings, metrics, queueServer));
    Set<String> created = ConcurrentHashMap.newKeySet();
    List<String> violations = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 48; t++) {
        Replenisher r = replicas.get(t % 3);
        futures.add(
            pool.submit(() -> {
              go.await();
              for (int i = 0; i < 30; i++) {
                created.addAll(r.replenish(name, warm));
                PoolStats s = store.poolStats(name);
                if (s.inEngine() > warm.reserveCap() || s.total() > warm.maxTotal()) {
                  synchronized (violations) {
                    violations.add(s.toString());
                  }
                }
              }
              return null;
            }));
      }
      // Meanwhile the "provisioner": bring requested ones to ready.
      futures.add(
          pool.submit(() -> {
            go.await();
            for (int i = 0; i < 40; i++) {
              for (Instance req : store.instances(InstanceState.REQUESTED)) {
                if (req.template().equals(name)) {
                  try {
                    Pools.started(store, req.id());
                    store.provisioning().markReady(req.id(), Pools.url(req.id()));
                  } catch (ClassCastException | AssertionError e) {
                    // claimed by another step of this loop: fine
                  }
                }
              }
              Thread.sleep(5);
            }
            return null;
          }));
      go.countDown();
      for (Future<?> f : futures) {
        f.get();
      }
    }
    assertThat(violations).as("in the engine / total above the caps").isEmpty();
    PoolStats s = store.poolStats(name);
    assertThat(s.total()).isLessThanOrEqualTo(warm.maxTotal());
    assertThat(s.ready() + s.inFlight()).isLessThanOrEqualTo(warm.minReady() + s.waiting());
    assertThat(created).isNotEmpty();
    // One provision message per record ever created (none has ended): no more, no fewer.
    Awaitility.await()
        .atMost(WAIT)
        .untilAsserted(
            () -> assertThat(provisionMessages(name)).isEqualTo(store.poolStats(name).total()));
    assertThat(ConsistencyChecker.check(store)).isEmpty();
  }

  @Test
  void aReplenishReservesTheLookAheadNotOnlyMaxInFlight() {
    // "warm" with a crowd's target: 10 wanted, max-in-flight 2. The first reserve takes the
    // look-ahead (2 x 2), so the provisioner prepares two more behind its two engine slots
    // instead of waiting for the first container to be healthy.
    TemplatesConfig.Template warm = settings.templates().get("warm");
    TemplatesConfig.Template crowd =
        (TemplatesConfig.Template)
            java.lang.reflect.Proxy.newProxyInstance(
                TemplatesConfig.Template.class.getClassLoader(),
                new Class<?>[] {TemplatesConfig.Template.class},
                (proxy, method, args) ->
                    switch (method.getName()) {
                      case "minReady" -> 10;
                      case "maxTotal" -> 20;
                      case "maxInFlight" -> 2;
                      case "reserveCap" -> TemplatesConfig.reserveCap(2);
                      default -> method.invoke(warm, args);
                    });
    Replenisher r = new Replenisher(store, publisher, settings, metrics, queueServer);
    assertThat(r.replenish("ahead", crowd)).hasSize(4);
    assertThat(store.poolStats("ahead").inEngine()).isEqualTo(4);
    assertThat(r.replenish("ahead", crowd)).as("the cap holds").isEmpty();
  }

  @Test
  void aQueuedVisitorRaisesTheTargetAndOneProvisionRequestIsSent() throws Exception {
    // "solo" has min-ready 0: only a waiting visitor makes it provision.
    assertThat(store.poolStats("solo").inFlight()).isZero();
    String rid = Ids.newRequestId();
    AcquireRequest req =
        new AcquireRequest(
            rid, "solo", "192.0.2.50", "b".repeat(64), System.currentTimeMillis(), null);
    publisher.publishAndAwaitReply(req, WAIT);
    Awaitility.await()
        .atMost(WAIT)
        .untilAsserted(() -> {
          assertThat(store.poolStats("solo").requested()).isEqualTo(1);
          assertThat(provisionMessages("solo")).isEqualTo(1);
        });
    // Timers keep running: still exactly one (the record exists, the msg id de-duplicates).
    Thread.sleep(2500);
    assertThat(store.poolStats("solo").requested()).isEqualTo(1);
    assertThat(provisionMessages("solo")).isEqualTo(1);
  }

  @Test
  void aRequestedRecordWhoseMessageWasLostIsPublishedAgain() throws Exception {
    // Reserved straight in the store, no message sent: as if the publish after it had failed.
    String id = Pools.requested(store, "lost", 1).getFirst();
    assertThat(provisionMessages("lost")).isZero();
    Awaitility.await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(provisionMessages("lost")).isEqualTo(1));
    Connection c = nats.connection(Duration.ofSeconds(5));
    var m =
        c.jetStreamManagement()
            .getLastMessage(Subjects.STREAM_PROVISION, Subjects.provision("lost"));
    assertThat(new String(m.getData())).contains(id);
    assertThat(m.getHeaders().getFirst("Nats-Msg-Id")).isEqualTo(id);
  }
}
