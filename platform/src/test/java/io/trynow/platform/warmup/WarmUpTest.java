package io.trynow.platform.warmup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WarmUpTest {

  @Test
  void runsTheConfiguredRoundsOnceAndIsDoneAfterwards() {
    WarmUp w = new WarmUp("path", 25, Duration.ofMinutes(1));
    AtomicInteger calls = new AtomicInteger();
    assertThat(w.done()).isFalse();
    assertThat(w.result()).isNull();

    WarmUp.Result r = w.run(round -> assertThat(round).isEqualTo(calls.getAndIncrement()));

    assertThat(calls).hasValue(25);
    assertThat(r.rounds()).isEqualTo(25);
    assertThat(r.failure()).isNull();
    assertThat(w.done()).isTrue();
    assertThat(w.run(round -> calls.incrementAndGet())).isSameAs(r); // runs once
    assertThat(calls).hasValue(25);
  }

  @Test
  void stopsAtItsTimeLimitCountedAfterTheFirstRound() {
    WarmUp w = new WarmUp("path", Integer.MAX_VALUE, Duration.ofMillis(50));
    WarmUp.Result r =
        w.run(round -> {
          if (round == 0) { // opening connections: longer than the whole limit
            await().pollDelay(Duration.ofMillis(120)).until(() -> true);
          }
        });
    assertThat(r.rounds()).isLessThan(Integer.MAX_VALUE).isGreaterThan(1);
    assertThat(r.took()).isGreaterThanOrEqualTo(Duration.ofMillis(170));
    assertThat(w.done()).isTrue();
  }

  @Test
  void aFailingRoundEndsItEarlyButItCountsAsDone() {
    WarmUp w = new WarmUp("path", 10, Duration.ofMinutes(1));
    WarmUp.Result r =
        w.run(round -> {
          if (round == 3) {
            throw new IllegalStateException("store down");
          }
        });
    assertThat(r.rounds()).isEqualTo(3);
    assertThat(r.failure()).contains("store down");
    assertThat(w.done()).isTrue();
  }

  @Test
  void zeroRoundsIsOffAndDoneAtOnce() {
    WarmUp w = new WarmUp("path", 0, Duration.ofSeconds(1));
    assertThat(w.done()).isTrue();
    AtomicInteger calls = new AtomicInteger();
    assertThat(w.run(round -> calls.incrementAndGet()).rounds()).isZero();
    assertThat(calls).hasValue(0);
  }

  @Test
  void negativeRoundsFailNamingTheKey() {
    assertThatThrownBy(() -> new WarmUp("path", -1, Duration.ofSeconds(1)))
        .hasMessageContaining("trynow.warm-up.rounds");
  }
}
