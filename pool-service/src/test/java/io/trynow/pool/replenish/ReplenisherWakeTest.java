package io.trynow.pool.replenish;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Wake-ups only (no run): what a warm hit's event and the other events ask of the replenisher. */
class ReplenisherWakeTest {

  private final Replenisher r = new Replenisher(null, null, null, null, null);

  @Test
  void warmHitsWakeOneRunPerSpacingAndLeaveTheTemplatePending() {
    r.wakeLazily("hello");
    r.lazySpacingNanos = java.time.Duration.ofHours(1).toNanos(); // no timing on a loaded machine
    assertThat(r.permitsView()).isEqualTo(1);
    for (int i = 0; i < 100; i++) {
      r.wakeLazily(i % 2 == 0 ? "hello" : "shop");
    }
    assertThat(r.permitsView()).as("within the spacing: no more runs").isEqualTo(1);
    assertThat(r.pendingView()).containsOnlyKeys("hello", "shop");
    r.lazySpacingNanos = 0; // the spacing has passed
    r.wakeLazily("hello");
    assertThat(r.permitsView()).isEqualTo(2);
  }

  @Test
  void otherEventsWakeARunEachTime() {
    r.wakeLazily("hello");
    r.wake("hello");
    r.wake("hello");
    assertThat(r.permitsView()).isEqualTo(3);
  }
}
