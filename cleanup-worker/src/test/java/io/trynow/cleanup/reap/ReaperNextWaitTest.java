package io.trynow.cleanup.reap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReaperNextWaitTest {

  private static final Instant NOW = Instant.parse("2026-12-01T21:00:00Z");
  private static final Duration INTERVAL = Duration.ofMillis(100);
  private static final Duration MAX_WAIT = Duration.ofSeconds(1);

  private static Duration waitFor(Optional<Instant> next) {
    return Reaper.nextWait(next, NOW, INTERVAL, MAX_WAIT);
  }

  @Test
  void nothingAssignedWaitsMaxWait() {
    assertThat(waitFor(Optional.empty())).isEqualTo(MAX_WAIT);
  }

  @Test
  void anExpiryWithinTheBoundsIsWaitedForExactly() {
    assertThat(waitFor(Optional.of(NOW.plusMillis(350)))).isEqualTo(Duration.ofMillis(350));
    assertThat(waitFor(Optional.of(NOW.plus(INTERVAL)))).isEqualTo(INTERVAL);
    assertThat(waitFor(Optional.of(NOW.plus(MAX_WAIT)))).isEqualTo(MAX_WAIT);
  }

  @Test
  void anExpiryDueOrPastWaitsTheInterval() {
    assertThat(waitFor(Optional.of(NOW))).isEqualTo(INTERVAL);
    assertThat(waitFor(Optional.of(NOW.plusMillis(99)))).isEqualTo(INTERVAL);
    assertThat(waitFor(Optional.of(NOW.minusSeconds(30)))).isEqualTo(INTERVAL);
  }

  @Test
  void aFarExpiryWaitsMaxWait() {
    assertThat(waitFor(Optional.of(NOW.plusMillis(1001)))).isEqualTo(MAX_WAIT);
    assertThat(waitFor(Optional.of(NOW.plus(Duration.ofHours(2))))).isEqualTo(MAX_WAIT);
  }

  @Test
  void aMaxWaitBelowTheIntervalCountsAsTheInterval() {
    Duration shortMax = Duration.ofMillis(50);
    assertThat(Reaper.nextWait(Optional.empty(), NOW, INTERVAL, shortMax)).isEqualTo(INTERVAL);
    assertThat(Reaper.nextWait(Optional.of(NOW.plusSeconds(5)), NOW, INTERVAL, shortMax))
        .isEqualTo(INTERVAL);
    assertThat(Reaper.nextWait(Optional.of(NOW.minusSeconds(5)), NOW, INTERVAL, shortMax))
        .isEqualTo(INTERVAL);
  }
}
