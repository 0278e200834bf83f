package io.trynow.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.trynow.gateway.events.SseLimiter;
import jakarta.inject.Singleton;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's meters. Tags are low-cardinality ({@code template}, {@code outcome}); never an id
 * or an IP.
 */
@Singleton
public class GatewayMetrics {

  /** {@code trynow_gateway_acquires_total{template,outcome}}: assigned, queued, pending, ... */
  public static final String ACQUIRES = "trynow.gateway.acquires";

  /** {@code trynow_gateway_acquire_duration_seconds{outcome}}: POST /v1/demos, end to end. */
  public static final String ACQUIRE_DURATION = "trynow.gateway.acquire.duration";

  /** {@code trynow_gateway_sse_open}: event streams open in this replica. */
  public static final String SSE_OPEN = "trynow.gateway.sse.open";

  private final MeterRegistry meters;

  public GatewayMetrics(MeterRegistry meters, SseLimiter sse) {
    this.meters = meters;
    Gauge.builder(SSE_OPEN, sse, SseLimiter::open)
        .description("Server-Sent Event streams open")
        .register(meters);
  }

  public void acquire(String template, String outcome, long nanos) {
    Counter.builder(ACQUIRES)
        .description("Acquires answered, by outcome")
        .tag("template", template)
        .tag("outcome", outcome)
        .register(meters)
        .increment();
    Timer.builder(ACQUIRE_DURATION)
        .description("POST /v1/demos latency")
        .tag("outcome", outcome)
        .publishPercentileHistogram()
        .register(meters)
        .record(nanos, TimeUnit.NANOSECONDS);
  }
}
