package io.trynow.platform.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trynow.model.Ids;
import io.trynow.model.InstanceState;
import io.trynow.testsupport.ValkeySentinels;
import io.trynow.testsupport.ValkeyServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Sentinel failover under load, through the {@link Store} API of a service configured only by the
 * documented settings (TLS sentinel addresses, master name, ACL user, {@code wait-replicas=1}): 16
 * threads acquire while the primary is killed with SIGKILL. Acquires work again within 10 s, and no
 * instance is lost or assigned twice — each caller retries its own request id after a failure
 * (acquire is idempotent per request id), as the gateway does.
 */
@QuarkusTest
@WithTestResource(
    value = SecuredValkeyResource.class,
    initArgs = @ResourceArg(name = "mode", value = "sentinel"))
class SentinelFailoverIT {

  private static final int POOL = 400;
  private static final int THREADS = 16;

  @Inject Store store;

  @Test
  void acquiresSurviveAFailoverWithNoInstanceLostOrAssignedTwice() throws Exception {
    ValkeySentinels topology = SecuredValkeyResource.sentinels();
    String tpl = "failover";
    store.capacity().initPorts(22000, 22000 + POOL - 1);
    Set<String> pool = ConcurrentHashMap.newKeySet();
    Hammer.run(8, POOL / 8, (t, i) -> pool.add(Fixtures.ready(store, tpl).id()));
    assertThat(store.readyCount(tpl)).isEqualTo(POOL);

    Map<String, String> requestOf = new ConcurrentHashMap<>(); // instance -> request
    List<String> twice = new CopyOnWriteArrayList<>();
    List<String> unexpected = new CopyOnWriteArrayList<>();
    AtomicInteger failures = new AtomicInteger();
    AtomicInteger afterKill = new AtomicInteger();
    AtomicLong killedAt = new AtomicLong();
    AtomicLong firstAfterKill = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    List<Future<?>> running = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      running.add(
          threads.submit(() -> {
            while (!stop.get()) {
              String rid = Ids.newRequestId();
              long sent = System.nanoTime();
              AcquireResult r = acquireUntilAnswered(rid, thread, failures);
              if (r instanceof AcquireResult.Assigned a) {
                String before = requestOf.putIfAbsent(a.instance().id(), rid);
                if (before != null && !before.equals(rid)) {
                  twice.add(a.instance().id() + " to " + before + " and " + rid);
                }
                if (killedAt.get() != 0 && sent > killedAt.get()) {
                  afterKill.incrementAndGet();
                  firstAfterKill.compareAndSet(0, System.nanoTime());
                }
              } else {
                unexpected.add(String.valueOf(r));
                return null;
              }
              Thread.sleep(40);
            }
            return null;
          }));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> requestOf.size() >= 40);

    ValkeyServer killed = topology.killPrimary();
    killedAt.set(System.nanoTime());
    ValkeyServer promoted = topology.awaitFailover(Duration.ofSeconds(30));
    // acquires sent after the kill succeed within 10 s of it
    await()
        .atMost(Duration.ofSeconds(10).minusNanos(System.nanoTime() - killedAt.get()))
        .until(() -> afterKill.get() > 0);
    await().atMost(Duration.ofSeconds(30)).until(() -> afterKill.get() >= 60);
    stop.set(true);
    for (Future<?> f : running) {
      f.get(60, TimeUnit.SECONDS);
    }
    threads.shutdown();

    System.out.printf(
        "failover: %d acquires answered, %d calls failed and were retried, the first acquire sent"
            + " after the kill succeeded %d ms after it%n",
        requestOf.size(),
        failures.get(),
        TimeUnit.NANOSECONDS.toMillis(firstAfterKill.get() - killedAt.get()));
    assertThat(promoted).isNotSameAs(killed);
    assertThat(twice).isEmpty();
    assertThat(unexpected).isEmpty();
    // every caller's instance is assigned to that caller's request, in the promoted primary
    for (Map.Entry<String, String> e : requestOf.entrySet()) {
      Instance i = store.instance(e.getKey()).orElseThrow();
      assertThat(i.state()).isEqualTo(InstanceState.ASSIGNED);
      assertThat(i.requestId()).isEqualTo(e.getValue());
      assertThat(store.request(e.getValue()).orElseThrow().instanceId()).isEqualTo(e.getKey());
    }
    // no instance lost: assigned ones are exactly those the callers were told, the rest is ready
    Set<String> assigned = new HashSet<>(store.ids(InstanceState.ASSIGNED));
    Set<String> ready = new HashSet<>(store.ids(InstanceState.READY));
    assertThat(assigned).isEqualTo(requestOf.keySet());
    assertThat(ready).doesNotContainAnyElementsOf(assigned);
    Set<String> all = new HashSet<>(assigned);
    all.addAll(ready);
    assertThat(all).isEqualTo(pool);
    assertThat(ConsistencyChecker.check(store)).isEmpty();
    // the promoted replica got the function library by replication (no reload was needed)
    assertThat(String.valueOf(promoted.call("FUNCTION", "LIST"))).contains("trynow_");
    assertThat(failures.get()).as("calls that failed during the failover").isPositive();
  }

  /** Retries the same request id until the store answers (the call may have run: idempotent). */
  private AcquireResult acquireUntilAnswered(String rid, int thread, AtomicInteger failures)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        return store
            .requests()
            .acquire(
                Fixtures.acquireArgs(rid, "failover", "10.9." + thread + ".1", Fixtures.TOKEN));
      } catch (StoreException e) {
        failures.incrementAndGet();
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }
}
