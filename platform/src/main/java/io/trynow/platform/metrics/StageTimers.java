package io.trynow.platform.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The one way a service times the stages of a request ({@code <name>_seconds{stage}}): a Prometheus
 * histogram with fixed buckets from 0.25 ms to 5 s ({@code _bucket{le}}, aggregable over replicas;
 * the benchmarks print p50/p90/p99 from them as {@code histogram_quantile} does) and the max of the
 * last ~30 s.
 *
 * <p>No client-side percentiles ({@code {quantile}}): nothing read them, and each record fed a ring
 * of three more histograms besides the buckets, on every stage of every acquire (the gateway
 * records six stages per acquire).
 */
public final class StageTimers {

  /** The histogram's bucket bounds: sub-millisecond up to the reply wait. */
  static final Duration[] BUCKETS = {
    Duration.ofNanos(250_000),
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(20),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(5)
  };

  private StageTimers() {}

  /** The timer of {@code stage} under meter {@code name}. */
  public static Timer stage(MeterRegistry meters, String name, String description, String stage) {
    return Timer.builder(name)
        .description(description)
        .tag("stage", stage)
        .serviceLevelObjectives(BUCKETS)
        .distributionStatisticExpiry(Duration.ofSeconds(30))
        .register(meters);
  }
}
