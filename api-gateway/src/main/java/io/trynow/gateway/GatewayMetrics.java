package io.trynow.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.trynow.gateway.events.SseLimiter;
import io.trynow.platform.metrics.Latency;
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

  /**
   * {@code trynow_gateway_acquire_stage_seconds{stage}}: where an acquire's time goes ({@code
   * rate_limit}: the store call; {@code publish_reply}: JetStream publish until pool-service's
   * reply), a histogram ({@link Latency}).
   */
  public static final String ACQUIRE_STAGE = "trynow.gateway.acquire.stage";

  private final MeterRegistry meters;
  private final Timer rateLimitStage;
  private final Timer publishReplyStage;

  public GatewayMetrics(MeterRegistry meters, SseLimiter sse) {
    this.meters = meters;
    Gauge.builder(SSE_OPEN, sse, SseLimiter::open)
        .description("Server-Sent Event streams open")
        .register(meters);
    this.rateLimitStage = stage("rate_limit");
    this.publishReplyStage = stage("publish_reply");
  }

  private Timer stage(String name) {
    return Latency.histogram(ACQUIRE_STAGE)
        .description("Acquire time by stage")
        .tag("stage", name)
        .register(meters);
  }

  public void rateLimitStage(long nanos) {
    rateLimitStage.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void publishReplyStage(long nanos) {
    publishReplyStage.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void acquire(String template, String outcome, long nanos) {
    Counter.builder(ACQUIRES)
        .description("Acquires answered, by outcome")
        .tag("template", template)
        .tag("outcome", outcome)
        .register(meters)
        .increment();
    Latency.histogram(ACQUIRE_DURATION)
        .description("POST /v1/demos latency")
        .tag("outcome", outcome)
        .register(meters)
        .record(nanos, TimeUnit.NANOSECONDS);
  }
}
