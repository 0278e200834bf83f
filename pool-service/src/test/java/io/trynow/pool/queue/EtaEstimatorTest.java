package io.trynow.pool.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.pool.config.TemplateRulesTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EtaEstimatorTest {

  private final EtaEstimator eta =
      new EtaEstimator(
          Duration.ofMinutes(1),
          Duration.ofSeconds(10),
          TemplateRulesTest.templates(Map.of("trynow.templates.hello.max-in-flight", "2")));

  @Test
  void assumedThroughputUntilMeasured() {
    // 2 in flight, 10 s each: 0.2/s, so position 4 waits 20 s.
    assertThat(eta.etaSeconds("hello", 4, 0)).isEqualTo(20);
    assertThat(eta.etaSeconds("hello", 1, 0)).isEqualTo(5);
  }

  @Test
  void measuredThroughputWins() {
    long t0 = 1_000_000;
    for (int i = 0; i < 10; i++) {
      eta.provisioned("hello", t0 + i * 1000L); // one per second
    }
    long now = t0 + 10_000;
    assertThat(eta.throughput("hello", now)).isBetween(0.9, 1.1);
    assertThat(eta.etaSeconds("hello", 30, now)).isBetween(27L, 34L);
  }

  @Test
  void oldSamplesLeaveTheWindow() {
    for (int i = 0; i < 5; i++) {
      eta.provisioned("hello", i * 100L);
    }
    assertThat(eta.etaSeconds("hello", 4, Duration.ofMinutes(5).toMillis())).isEqualTo(20);
  }
}
