package io.trynow.platform.state;

import static io.trynow.platform.state.Fixtures.MAX_LIFE;
import static io.trynow.platform.state.Fixtures.TOKEN;
import static io.trynow.platform.state.Fixtures.TTL;
import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.model.Ids;
import io.trynow.model.InstanceState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * acquire_ready: the warm-hit fast path (rate limit + assign from the ready list in one call), and
 * that a miss leaves everything but the rate-limit count as it was.
 */
class AcquireReadyIT extends StoreTestBase {

  private static final int PER_HOUR = 20;
  private static final int PER_DAY = 100;

  private AcquireReadyResult ready(AcquireArgs a) {
    return store.requests().acquireReady(a, PER_HOUR, PER_DAY);
  }

  private static AcquireArgs args(String tpl, String ip, int maxLivePerIp, boolean checks) {
    return new AcquireArgs(
        Ids.newRequestId(), tpl, TOKEN, ip, TTL, MAX_LIFE, 100, maxLivePerIp, null, checks);
  }

  @Test
  void aReadyInstanceIsAssignedAsAcquireAssignsItAndTheCallIsCounted() {
    String tpl = template();
    Instance older = Fixtures.ready(store, tpl);
    clock.advance(Duration.ofSeconds(1));
    Fixtures.ready(store, tpl);
    AcquireArgs a = args(tpl, "192.0.2.70", 3, false);
    long warmBefore = slo(tpl, "warm");

    AcquireReadyResult.Assigned r = (AcquireReadyResult.Assigned) ready(a);

    Instance i = r.instance();
    assertThat(r.repeat()).isFalse();
    assertThat(i.id()).isEqualTo(older.id());
    assertThat(i.state()).isEqualTo(InstanceState.ASSIGNED);
    assertThat(i.requestId()).isEqualTo(a.requestId());
    assertThat(i.clientIp()).isEqualTo("192.0.2.70");
    assertThat(i.ownerTokenHash()).isEqualTo(TOKEN);
    assertThat(i.expiresAt()).isEqualTo(clock.instant().plus(TTL));
    assertThat(i.maxExpiresAt()).isEqualTo(clock.instant().plus(MAX_LIFE));
    assertThat(i.assignedVia()).isEqualTo("pool");
    RequestRecord req = store.request(a.requestId()).orElseThrow();
    assertThat(req.state()).isEqualTo(RequestState.ASSIGNED);
    assertThat(req.instanceId()).isEqualTo(i.id());
    assertThat(req.checking()).isFalse();
    assertThat(store.poolStats(tpl).ready()).isEqualTo(1);
    assertThat(slo(tpl, "warm")).isEqualTo(warmBefore + 1);
    assertThat(r.windows().hourCount()).isEqualTo(1);
    assertThat(r.windows().repeat()).isFalse();
    // the rate limit counted it, in the same windows rate_limit uses
    RateLimitResult.Allowed next =
        (RateLimitResult.Allowed) store.limits().rateLimit("192.0.2.70", null, PER_HOUR, PER_DAY);
    assertThat(next.hourCount()).isEqualTo(2);
    // the per-IP cap of acquire counts it (a live request of that IP)
    assertThat(store.requests().acquire(Fixtures.acquireArgs(tpl, "192.0.2.70")))
        .isInstanceOf(AcquireResult.Assigned.class);
    assertThat(
            store
                .requests()
                .acquire(
                    new AcquireArgs(
                        Ids.newRequestId(), tpl, TOKEN, "192.0.2.70", TTL, MAX_LIFE, 100, 2)))
        .isInstanceOf(AcquireResult.LimitExceeded.class);
  }

  @Test
  void aRepeatReturnsTheSameInstanceAndCountsNothing() {
    String tpl = template();
    Fixtures.ready(store, tpl);
    Fixtures.ready(store, tpl);
    AcquireArgs a = args(tpl, "192.0.2.71", 0, false);
    AcquireReadyResult.Assigned first = (AcquireReadyResult.Assigned) ready(a);
    AcquireReadyResult.Assigned again = (AcquireReadyResult.Assigned) ready(a);
    assertThat(again.repeat()).isTrue();
    assertThat(again.instance().id()).isEqualTo(first.instance().id());
    assertThat(again.windows().repeat()).isTrue();
    assertThat(again.windows().hourCount()).isEqualTo(1);
    assertThat(store.poolStats(tpl).ready()).isEqualTo(1);
    // and acquire (the queue path, e.g. a redelivery) answers the same demo
    AcquireResult.Assigned viaPool = (AcquireResult.Assigned) store.requests().acquire(a);
    assertThat(viaPool.repeat()).isTrue();
    assertThat(viaPool.instance().id()).isEqualTo(first.instance().id());
  }

  @Test
  void aMissWritesNothingButTheRateLimitCount() {
    String tpl = template();
    // a queued request of another visitor, and nothing ready
    store.requests().acquire(Fixtures.acquireArgs(tpl, "192.0.2.90"));
    Map<String, String> before = snapshot();
    AcquireArgs a = args(tpl, "192.0.2.72", 3, false);

    AcquireReadyResult.Miss m = (AcquireReadyResult.Miss) ready(a);

    assertThat(m.reason()).isEqualTo(AcquireReadyResult.Reason.EMPTY);
    assertThat(m.windows().hourCount()).isEqualTo(1);
    assertThat(snapshot()).isEqualTo(before);
    assertThat(store.request(a.requestId())).isEmpty();
    // the queue path decides next, and its refund finds the count by the request id
    assertThat(store.requests().acquire(a)).isInstanceOf(AcquireResult.Queued.class);
    assertThat(store.limits().rateLimitRefund("192.0.2.72", a.requestId(), clock.instant()))
        .isTrue();
    assertThat(
            ((RateLimitResult.Allowed)
                    store.limits().rateLimit("192.0.2.72", null, PER_HOUR, PER_DAY))
                .hourCount())
        .isEqualTo(1);
  }

  @Test
  void aTemplateThatChecksClaimsIsAMissAndItsReadyListIsUntouched() {
    String tpl = template();
    Instance r = Fixtures.ready(store, tpl);
    Map<String, String> before = snapshot();
    AcquireReadyResult.Miss m = (AcquireReadyResult.Miss) ready(args(tpl, "192.0.2.73", 3, true));
    assertThat(m.reason()).isEqualTo(AcquireReadyResult.Reason.CHECKS);
    assertThat(snapshot()).isEqualTo(before);
    assertThat(store.instance(r.id()).orElseThrow().state()).isEqualTo(InstanceState.READY);
  }

  @Test
  void anAddressAtItsLiveCapIsAMiss() {
    String tpl = template();
    Fixtures.ready(store, tpl);
    Fixtures.ready(store, tpl);
    assertThat(ready(args(tpl, "192.0.2.74", 1, false)))
        .isInstanceOf(AcquireReadyResult.Assigned.class);
    Map<String, String> before = snapshot();
    AcquireReadyResult.Miss m = (AcquireReadyResult.Miss) ready(args(tpl, "192.0.2.74", 1, false));
    assertThat(m.reason()).isEqualTo(AcquireReadyResult.Reason.IP);
    assertThat(snapshot()).isEqualTo(before);
    assertThat(store.poolStats(tpl).ready()).isEqualTo(1);
  }

  @Test
  void aLimitedCallWritesNothing() {
    String tpl = template();
    Fixtures.ready(store, tpl);
    String ip = "192.0.2.75";
    for (int i = 0; i < 2; i++) {
      store.limits().rateLimit(ip, null, 2, PER_DAY);
    }
    Map<String, String> before = snapshotWithRateLimits();
    AcquireArgs a = args(tpl, ip, 0, false);
    AcquireReadyResult.Limited l =
        (AcquireReadyResult.Limited) store.requests().acquireReady(a, 2, PER_DAY);
    assertThat(l.limited().window()).isEqualTo(RateLimitResult.Window.HOUR);
    assertThat(l.limited().count()).isEqualTo(2);
    assertThat(snapshotWithRateLimits()).isEqualTo(before);
    assertThat(store.request(a.requestId())).isEmpty();
  }

  @Test
  void concurrentCallersNeverGetTheSameInstance() {
    String tpl = template();
    for (int i = 0; i < 20; i++) {
      Fixtures.ready(store, tpl);
    }
    Map<String, String> holderOf = new ConcurrentHashMap<>();
    AtomicInteger misses = new AtomicInteger();
    Hammer.run(
        16,
        3,
        (t, i) -> {
          AcquireArgs a = args(tpl, "10.0.2." + t, 0, false);
          switch (store.requests().acquireReady(a, 1000, 1000)) {
            case AcquireReadyResult.Assigned as ->
                assertThat(holderOf.put(as.instance().id(), a.requestId())).isNull();
            case AcquireReadyResult.Miss m -> {
              assertThat(m.reason()).isEqualTo(AcquireReadyResult.Reason.EMPTY);
              misses.incrementAndGet();
            }
            case AcquireReadyResult.Limited l -> throw new AssertionError("limited");
          }
        });
    assertThat(holderOf).hasSize(20);
    assertThat(misses).hasValue(16 * 3 - 20);
    assertThat(store.poolStats(tpl).ready()).isZero();
    assertThat(store.poolStats(tpl).waiting()).isZero();
    holderOf.forEach((id, rid) -> {
      assertThat(store.instance(id).orElseThrow().requestId()).isEqualTo(rid);
      assertThat(store.request(rid).orElseThrow().instanceId()).isEqualTo(id);
    });
  }

  @Test
  void theAsyncCallAnswersAsTheBlockingOne() throws Exception {
    String tpl = template();
    Instance r = Fixtures.ready(store, tpl);
    AcquireReadyResult.Assigned a =
        (AcquireReadyResult.Assigned)
            store
                .requests()
                .acquireReadyAsync(args(tpl, "192.0.2.76", 0, false), PER_HOUR, PER_DAY)
                .toCompletableFuture()
                .get();
    assertThat(a.instance().id()).isEqualTo(r.id());
    assertThat(
            store
                .requests()
                .acquireReadyAsync(args(tpl, "192.0.2.76", 0, false), PER_HOUR, PER_DAY)
                .toCompletableFuture()
                .get())
        .isInstanceOf(AcquireReadyResult.Miss.class);
  }

  private long slo(String tpl, String field) {
    Object v = valkey.call("HGET", base() + "slo:" + tpl, field);
    return v == null ? 0 : Long.parseLong(v.toString());
  }

  private String base() {
    return "{" + store.prefix() + "}:";
  }

  /** Every key of this test's prefix but the rate-limit ones, with its value as text. */
  private Map<String, String> snapshot() {
    Map<String, String> all = snapshotWithRateLimits();
    all.keySet().removeIf(k -> k.startsWith(base() + "rl:"));
    return all;
  }

  private Map<String, String> snapshotWithRateLimits() {
    Map<String, String> out = new TreeMap<>();
    for (Object k : (List<?>) valkey.call("KEYS", base() + "*")) {
      String key = k.toString();
      String type = valkey.call("TYPE", key).toString();
      Object value =
          switch (type) {
            case "string" -> valkey.call("GET", key);
            case "hash" -> new TreeMap<>(pairs((List<?>) valkey.call("HGETALL", key)));
            case "list" -> valkey.call("LRANGE", key, "0", "-1");
            case "set" -> new java.util.TreeSet<>((List<?>) valkey.call("SMEMBERS", key));
            case "zset" -> valkey.call("ZRANGE", key, "0", "-1", "WITHSCORES");
            default -> type;
          };
      out.put(
          key, type + " " + value + " ttl>0=" + !"-1".equals(valkey.call("PTTL", key).toString()));
    }
    return out;
  }

  private static Map<String, String> pairs(List<?> flat) {
    Map<String, String> m = new TreeMap<>();
    for (int i = 0; i < flat.size(); i += 2) {
      m.put(flat.get(i).toString(), String.valueOf(flat.get(i + 1)));
    }
    return m;
  }
}
