package io.trynow.platform.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trynow.model.Ids;
import io.trynow.testsupport.ValkeyServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The store heals itself: the function library is loaded again when Valkey lost it (FUNCTION FLUSH,
 * a restart without persistence), and a hard kill in the middle of a run leaves no half-done
 * transition behind (each function is atomic, also in the AOF).
 */
class StoreRecoveryIT extends StoreTestBase {

  @Test
  void functionFlushAndScriptFlushInTheMiddleOfARunAreRecoveredWithoutAnError() throws Exception {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicInteger done = new AtomicInteger();
    CompletableFuture<Void> load =
        CompletableFuture.runAsync(() -> {
          try {
            Hammer.run(8, 150, (t, i) -> lifecycleStep(t, done));
          } catch (Throwable e) {
            failure.set(e);
          }
        });
    for (int i = 0; i < 5; i++) {
      int before = done.get();
      await().atMost(Duration.ofSeconds(30)).until(() -> done.get() > before + 20 || load.isDone());
      assertThat(valkey.command("FUNCTION FLUSH")).isEqualTo("+OK");
      assertThat(valkey.command("SCRIPT FLUSH")).isEqualTo("+OK");
    }
    load.get(120, TimeUnit.SECONDS);
    assertThat(failure.get()).isNull();
    assertThat(done.get()).isEqualTo(8 * 150);
    assertThat(valkey.command("FUNCTION LIST")).startsWith("*1");
  }

  @Test
  void aHardKillInTheMiddleOfARunLeavesNoHalfDoneTransition() throws Exception {
    AtomicInteger done = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    CompletableFuture<Void> load =
        CompletableFuture.runAsync(() ->
            Hammer.run(
                8,
                200,
                (t, i) -> {
                  try {
                    lifecycleStep(t, done);
                  } catch (StoreException e) {
                    refused.incrementAndGet(); // Valkey is down: expected, retried later
                  }
                }));
    await().atMost(Duration.ofSeconds(30)).until(() -> done.get() > 200);
    valkey.kill();
    valkey.start();
    load.get(120, TimeUnit.SECONDS);
    // the pool reconnects by itself
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> store.poolStats("alpha") != null);
    assertThat(done.get() + refused.get()).isEqualTo(8 * 200);
    assertThat(ConsistencyChecker.check(store)).isEmpty();
  }

  @Test
  void aRestartWithoutPersistenceLosesTheLibraryAndTheStoreLoadsItAgain() {
    try (ValkeyServer bare = new ValkeyServer(false)) {
      bare.start();
      Store s = Store.connect(bare.url(), Fixtures.prefix("bare"), clock);
      try {
        assertThat(s.limits().rateLimit("10.0.0.1", null, 5, 5))
            .isInstanceOf(RateLimitResult.Allowed.class);
        bare.restart(true);
        assertThat(bare.command("FUNCTION LIST")).isEqualTo("*0");
        await()
            .atMost(Duration.ofSeconds(30))
            .ignoreExceptions()
            .until(() ->
                s.limits().rateLimit("10.0.0.1", null, 5, 5) instanceof RateLimitResult.Allowed);
        RateLimitResult.Allowed a =
            (RateLimitResult.Allowed) s.limits().rateLimit("10.0.0.1", null, 5, 5);
        assertThat(a.hourCount()).isLessThanOrEqualTo(2); // the old count died with the server
        assertThat(bare.command("FUNCTION LIST")).startsWith("*1");
      } finally {
        s.close();
      }
    }
  }

  /** A short life: reserve, claim, port, start, ready, acquire, release, terminate. */
  private void lifecycleStep(int thread, AtomicInteger done) {
    String tpl = List.of("alpha", "beta").get(thread % 2);
    ThreadLocalRandom r = ThreadLocalRandom.current();
    List<String> created =
        store
            .sizing()
            .reserveProvision(new ReserveArgs(tpl, 4, 20, 4, List.of(Ids.newInstanceId())))
            .created();
    for (String id : created) {
      if (store.claims().claimProvision(id, Fixtures.LEASE) instanceof ClaimResult.Claimed c
          && store.provisioning().allocatePort(id, c.fence()) instanceof PortResult.Allocated) {
        store.provisioning().markStarted(id, c.fence(), "trynow-" + id);
        store.provisioning().markReady(id, null);
      }
    }
    String rid = Ids.newRequestId();
    if (store
            .requests()
            .acquire(
                new AcquireArgs(
                    rid, tpl, rid, "10.7.0." + thread, Fixtures.TTL, Fixtures.MAX_LIFE, 50, 0))
        instanceof AcquireResult.Assigned a) {
      if (r.nextBoolean()) {
        store.lifecycle().extend(a.instance().id(), rid, Duration.ofMinutes(1));
      }
      store.lifecycle().release(a.instance().id(), rid);
      if (store.claims().claimTerminate(a.instance().id(), Fixtures.LEASE)
          instanceof ClaimResult.Claimed c) {
        store.lifecycle().markTerminated(a.instance().id(), c.fence());
      }
    }
    done.incrementAndGet();
  }
}
