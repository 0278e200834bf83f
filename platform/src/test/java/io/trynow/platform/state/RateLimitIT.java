package io.trynow.platform.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.model.Ids;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** rate_limit and rate_limit_refund. */
class RateLimitIT extends StoreTestBase {

  @Test
  void hourAndDayWindowsAreCheckedAndCountedTogether() {
    String ip = "198.51.100.1";
    for (int i = 1; i <= 3; i++) {
      RateLimitResult.Allowed a =
          (RateLimitResult.Allowed) store.limits().rateLimit(ip, null, 3, 5);
      assertThat(a.hourCount()).isEqualTo(i);
      assertThat(a.dayCount()).isEqualTo(i);
    }
    RateLimitResult.Limited l = (RateLimitResult.Limited) store.limits().rateLimit(ip, null, 3, 5);
    assertThat(l.window()).isEqualTo(RateLimitResult.Window.HOUR);
    assertThat(l.resetAt()).isEqualTo(Instant.parse("2026-11-21T11:00:00Z"));

    clock.advance(Duration.ofHours(1));
    store.limits().rateLimit(ip, null, 3, 5);
    store.limits().rateLimit(ip, null, 3, 5);
    RateLimitResult.Limited day =
        (RateLimitResult.Limited) store.limits().rateLimit(ip, null, 3, 5);
    assertThat(day.window()).isEqualTo(RateLimitResult.Window.DAY);
    assertThat(day.count()).isEqualTo(5);
    // a refused call was not counted in the hour window
    assertThat(((RateLimitResult.Allowed) store.limits().rateLimit(ip, null, 3, 6)).hourCount())
        .isEqualTo(3);
  }

  @Test
  void aRequestIdIsCountedOnceAndRefundedOnce() {
    String ip = "198.51.100.2";
    String rid = Ids.newRequestId();
    Instant at = clock.instant();
    assertThat(((RateLimitResult.Allowed) store.limits().rateLimit(ip, rid, 2, 10)).repeat())
        .isFalse();
    RateLimitResult.Allowed again =
        (RateLimitResult.Allowed) store.limits().rateLimit(ip, rid, 2, 10);
    assertThat(again.repeat()).isTrue();
    assertThat(again.hourCount()).isEqualTo(1);
    store.limits().rateLimit(ip, null, 2, 10);
    assertThat(store.limits().rateLimit(ip, null, 2, 10))
        .isInstanceOf(RateLimitResult.Limited.class);

    clock.advance(Duration.ofMinutes(5));
    assertThat(store.limits().rateLimitRefund(ip, rid, at)).isTrue();
    assertThat(store.limits().rateLimitRefund(ip, rid, at)).isFalse();
    assertThat(((RateLimitResult.Allowed) store.limits().rateLimit(ip, null, 2, 10)).hourCount())
        .isEqualTo(2);
    assertThat(store.limits().rateLimit(ip, null, 2, 10))
        .isInstanceOf(RateLimitResult.Limited.class);
  }

  @Test
  void aZeroLimitAdmitsNobody() {
    assertThat(store.limits().rateLimit("198.51.100.3", null, 0, 10))
        .isInstanceOf(RateLimitResult.Limited.class);
  }

  @Test
  void theAsyncRateLimitCountsExactlyUpToTheLimitUnderConcurrency() throws Exception {
    String ip = "198.51.100.4";
    java.util.List<java.util.concurrent.CompletableFuture<RateLimitResult>> calls =
        new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      calls.add(
          store.limits().rateLimitAsync(ip, Ids.newRequestId(), 15, 100).toCompletableFuture());
    }
    long allowed = 0;
    for (var c : calls) {
      if (c.get(30, java.util.concurrent.TimeUnit.SECONDS) instanceof RateLimitResult.Allowed) {
        allowed++;
      }
    }
    assertThat(allowed).isEqualTo(15);
    // the blocking call sees the same windows
    assertThat(store.limits().rateLimit(ip, null, 15, 100))
        .isInstanceOfSatisfying(
            RateLimitResult.Limited.class, l -> assertThat(l.hourCount()).isEqualTo(15));
  }

  @Test
  void theAsyncRateLimitLoadsALostLibraryAgainAndRetriesOnce() throws Exception {
    String ip = "198.51.100.5";
    store.limits().rateLimit(ip, null, 5, 5);
    assertThat(valkey.command("FUNCTION FLUSH")).isEqualTo("+OK");
    RateLimitResult r =
        store
            .limits()
            .rateLimitAsync(ip, Ids.newRequestId(), 5, 5)
            .toCompletableFuture()
            .get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(r)
        .isInstanceOfSatisfying(
            RateLimitResult.Allowed.class, a -> assertThat(a.hourCount()).isEqualTo(2));
    assertThat(valkey.command("FUNCTION LIST")).startsWith("*1");
  }

  @Test
  void theAsyncRequestReadFindsWhatTheBlockingOneFinds() throws Exception {
    String rid = Ids.newRequestId();
    assertThat(
            store
                .requestAsync(rid)
                .toCompletableFuture()
                .get(30, java.util.concurrent.TimeUnit.SECONDS))
        .isEmpty();
    store
        .requests()
        .abandon(rid, "alpha", Fixtures.TOKEN, "198.51.100.6", RequestState.FAILED, "why");
    assertThat(
            store
                .requestAsync(rid)
                .toCompletableFuture()
                .get(30, java.util.concurrent.TimeUnit.SECONDS))
        .contains(store.request(rid).orElseThrow());
  }
}
