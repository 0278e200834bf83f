package io.trynow.platform.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0.5);

  @Test
  void doublesUpToTheCap() {
    assertThat(backoff.delay(1, () -> 0.0)).isEqualTo(Duration.ofMillis(100));
    assertThat(backoff.delay(2, () -> 0.0)).isEqualTo(Duration.ofMillis(200));
    assertThat(backoff.delay(4, () -> 0.0)).isEqualTo(Duration.ofMillis(800));
    assertThat(backoff.delay(5, () -> 0.0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.delay(500, () -> 0.0)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void jitterShortensByAtMostItsFraction() {
    assertThat(backoff.delay(1, () -> 1.0)).isEqualTo(Duration.ofMillis(50));
    assertThat(backoff.delay(5, () -> 0.999))
        .isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
  }
}
