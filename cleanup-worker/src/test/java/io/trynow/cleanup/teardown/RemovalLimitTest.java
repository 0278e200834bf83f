package io.trynow.cleanup.teardown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RemovalLimitTest {

  private static final Duration FAST = Duration.ofMillis(300);

  @Test
  void growsByOneWhileFullWavesAreFastAndNeverPassesTheEnginesBound() {
    RemovalLimit l = new RemovalLimit(4);
    assertThat(l.current()).isEqualTo(2);
    l.observe(2, 2, FAST);
    assertThat(l.current()).isEqualTo(3);
    l.observe(3, 3, FAST);
    l.observe(4, 4, FAST);
    l.observe(4, 4, FAST);
    assertThat(l.current()).isEqualTo(4);
  }

  @Test
  void aSmallWaveSaysNothingAboutMoreParallelism() {
    RemovalLimit l = new RemovalLimit(8);
    l.observe(1, 1, FAST);
    assertThat(l.current()).isEqualTo(2);
  }

  @Test
  void halvesOnASlowOrFailedWaveDownToOne() {
    RemovalLimit l = new RemovalLimit(8);
    for (int i = 0; i < 10; i++) {
      l.observe(l.current(), l.current(), FAST);
    }
    assertThat(l.current()).isEqualTo(8);
    l.observe(8, 8, RemovalLimit.SLOW.plusMillis(1));
    assertThat(l.current()).isEqualTo(4);
    l.observe(4, 3, FAST);
    assertThat(l.current()).isEqualTo(2);
    l.observe(2, 0, FAST);
    l.observe(1, 0, FAST);
    assertThat(l.current()).isEqualTo(1);
    assertThat(new RemovalLimit(1).current()).isEqualTo(1);
    assertThatThrownBy(() -> new RemovalLimit(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
