package io.trynow.platform.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.model.Ids;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The storm: 32 threads run more than 50,000 mixed store calls against four templates — the whole
 * life cycle, stale workers, wrong tokens, admin kills, time moving on — and afterwards the checker
 * finds no broken invariant. Among them, the rate limiter admits exactly its limit for one IP
 * hammered from every thread.
 */
class StoreStormIT extends StoreTestBase {

  private static final int THREADS = 32;
  private static final int ITERATIONS = 1500;
  private static final List<String> TEMPLATES = List.of("alpha", "beta", "gamma", "delta");
  private static final int MAX_TOTAL = 12;
  private static final int MAX_IN_FLIGHT = 4;
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final String HOT_IP = "10.99.99.99";
  private static final int HOT_LIMIT = 100;

  private final Map<Integer, String> known = new ConcurrentHashMap<>();
  private final AtomicInteger knownCount = new AtomicInteger();
  private final AtomicLong calls = new AtomicLong();
  private final AtomicInteger hotAllowed = new AtomicInteger();

  @Test
  void aStormOfMixedCallsLeavesEveryInvariantIntact() {
    long started = System.nanoTime();
    Hammer.run(THREADS, ITERATIONS, (t, i) -> step(t));
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    Map<String, Integer> maxInFlight = new HashMap<>();
    TEMPLATES.forEach(tpl -> maxInFlight.put(tpl, MAX_IN_FLIGHT));
    assertThat(ConsistencyChecker.check(store, maxInFlight)).isEmpty();
    assertThat(calls.get()).isGreaterThanOrEqualTo(50_000);
    assertThat(hotAllowed).hasValue(HOT_LIMIT);
    for (String tpl : TEMPLATES) {
      PoolStats s = store.poolStats(tpl);
      assertThat(s.total()).as(tpl).isLessThanOrEqualTo(MAX_TOTAL);
    }
    System.out.printf(
        "storm: %d calls by %d threads in %d ms, %d instances%n",
        calls.get(), THREADS, took.toMillis(), knownCount.get());
  }

  private void step(int thread) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    if (thread == 0) {
      clock.advance(Duration.ofMillis(300));
    }
    String tpl = TEMPLATES.get(r.nextInt(TEMPLATES.size()));
    int dice = r.nextInt(100);
    if (dice < 10) {
      reserve(tpl);
    } else if (dice < 25) {
      provision(pick());
    } else if (dice < 33) {
      call();
      store.provisioning().markReady(pick(), r.nextBoolean() ? null : "http://demo");
    } else if (dice < 50) {
      acquire(tpl, "10.9.0." + r.nextInt(16));
    } else if (dice < 60) {
      String id = pick();
      String owner = ownerOf(id);
      call();
      store
          .lifecycle()
          .extend(id, r.nextInt(10) == 0 ? Fixtures.OTHER_TOKEN : owner, Duration.ofSeconds(15));
    } else if (dice < 66) {
      call();
      store.lifecycle().release(pick(), ownerOf(pick()));
    } else if (dice < 72) {
      call();
      for (Instance i : store.claims().claimExpired(5, LEASE)) {
        call();
        store.lifecycle().markTerminated(i.id(), i.fence());
      }
    } else if (dice < 78) {
      String id = pick();
      call();
      if (store.claims().claimTerminate(id, LEASE) instanceof ClaimResult.Claimed c) {
        call();
        store.lifecycle().markTerminated(id, c.fence());
      }
    } else if (dice < 88) {
      boolean hot = r.nextBoolean();
      call();
      RateLimitResult rl =
          store
              .limits()
              .rateLimit(hot ? HOT_IP : "10.9.1." + r.nextInt(16), null, hot ? HOT_LIMIT : 50, 500);
      if (hot && rl instanceof RateLimitResult.Allowed) {
        hotAllowed.incrementAndGet();
      }
    } else if (dice < 92) {
      call();
      store.requests().expireWaiting(tpl, Duration.ofSeconds(10), 10);
    } else if (dice < 94) {
      call();
      store.lifecycle().forceTerminate(pick(), "admin");
    } else if (dice < 96) {
      call();
      store.provisioning().markFailed(pick(), "container died");
    } else {
      // a stale or confused worker: random fence
      String id = pick();
      long fence = 1 + r.nextInt(4);
      call();
      switch (r.nextInt(3)) {
        case 0 -> store.provisioning().allocatePort(id, fence);
        case 1 -> {
          try {
            store.provisioning().markStarted(id, fence, "trynow-" + id);
          } catch (IllegalArgumentException e) {
            // the right fence by chance, but no port yet: refused before any write
            assertThat(e).hasMessage("BADARG allocate a port before mark_started");
          }
        }
        default -> store.provisioning().markFailed(id, fence, "stale");
      }
    }
  }

  private void reserve(String tpl) {
    call();
    ReserveResult res =
        store
            .sizing()
            .reserveProvision(
                new ReserveArgs(
                    tpl,
                    3,
                    MAX_TOTAL,
                    MAX_IN_FLIGHT,
                    List.of(Ids.newInstanceId(), Ids.newInstanceId())));
    for (String id : res.created()) {
      known.put(knownCount.getAndIncrement(), id);
    }
  }

  private void provision(String id) {
    call();
    if (!(store.claims().claimProvision(id, LEASE) instanceof ClaimResult.Claimed c)) {
      return;
    }
    call();
    if (!(store.provisioning().allocatePort(id, c.fence()) instanceof PortResult.Allocated)) {
      call();
      store.provisioning().markFailed(id, c.fence(), "no port");
      return;
    }
    call();
    if (ThreadLocalRandom.current().nextInt(20) == 0) {
      store.provisioning().markFailed(id, c.fence(), "health check timed out");
    } else {
      store.provisioning().markStarted(id, c.fence(), "trynow-" + id);
    }
  }

  private void acquire(String tpl, String ip) {
    String rid = Ids.newRequestId();
    call();
    store
        .requests()
        .acquire(
            new AcquireArgs(
                rid, tpl, rid, ip, Duration.ofSeconds(20), Duration.ofSeconds(60), 20, 4));
  }

  /** The owner token of the storm's instances is their request id (a valid token hash). */
  private String ownerOf(String id) {
    call();
    return store.instance(id).map(Instance::requestId).orElse(Fixtures.OTHER_TOKEN);
  }

  private String pick() {
    int n = knownCount.get();
    if (n == 0) {
      return Ids.newInstanceId();
    }
    String id = known.get(ThreadLocalRandom.current().nextInt(n));
    return id == null ? Ids.newInstanceId() : id;
  }

  private void call() {
    calls.incrementAndGet();
  }
}
