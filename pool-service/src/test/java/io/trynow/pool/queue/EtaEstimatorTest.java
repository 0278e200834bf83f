package io.trynow.pool.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.platform.state.ProvisionRate;
import io.trynow.pool.config.TestTemplates;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The arithmetic; the samples themselves live in Valkey (platform's SharedQueueStateIT). */
class EtaEstimatorTest {

  private final EtaEstimator eta =
      new EtaEstimator(
          null,
          Duration.ofMinutes(1),
          Duration.ofSeconds(10),
          TestTemplates.of(Map.of("trynow.templates.hello.max-in-flight", "2")));

  @Test
  void assumedThroughputUntilMeasured() {
    // 2 in flight, 10 s each: 0.2/s, so position 4 waits 20 s.
    double assumed = eta.throughput("hello", new ProvisionRate(2, 0), 0);
    assertThat(EtaEstimator.etaSeconds(4, assumed)).isEqualTo(20);
    assertThat(EtaEstimator.etaSeconds(1, assumed)).isEqualTo(5);
  }

  @Test
  void measuredThroughputWins() {
    long t0 = 1_000_000;
    long now = t0 + 10_000;
    double rate = eta.throughput("hello", new ProvisionRate(10, t0), now); // one per second
    assertThat(rate).isBetween(0.9, 1.1);
    assertThat(EtaEstimator.etaSeconds(30, rate)).isBetween(27L, 34L);
  }
}
