package io.trynow.platform.metrics;

import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Every latency in trynow is a Prometheus histogram with the same fixed buckets ({@code
 * _seconds_bucket{le}}, {@code _sum}, {@code _count}), never client-side percentiles: buckets from
 * many replicas add up, so {@code histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m])))} is
 * the fleet's p95. The buckets span 1 ms (a store call) to 5 min (a slow image start).
 */
public final class Latency {

  private Latency() {}

  /** The bucket bounds (le) of every latency histogram. */
  public static final Duration[] BUCKETS = {
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60),
    Duration.ofSeconds(120),
    Duration.ofSeconds(300)
  };

  /** A timer published as a histogram with {@link #BUCKETS}. */
  public static Timer.Builder histogram(String name) {
    return Timer.builder(name)
        .serviceLevelObjectives(BUCKETS)
        .minimumExpectedValue(BUCKETS[0])
        .maximumExpectedValue(BUCKETS[BUCKETS.length - 1]);
  }
}
