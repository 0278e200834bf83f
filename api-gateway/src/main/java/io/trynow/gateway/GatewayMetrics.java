package io.trynow.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.trynow.gateway.events.SseLimiter;
import io.trynow.platform.metrics.Latency;
import io.trynow.platform.metrics.StageTimers;
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
   * {@code trynow_gateway_acquire_stage_seconds{stage}}: where an acquire's time goes, as a
   * histogram ({@code _bucket}): {@code dispatch} (request received on the event loop until the
   * resource method runs on its virtual thread, body parsed), {@code acquire_ready} (the one store
   * call: rate limit, and a warm hit assigned right there; a warm hit's answer follows at once),
   * {@code publish} (JetStream publish until the PubAck), {@code reply} (PubAck until
   * pool-service's reply), {@code respond} (the method's return until the response ended) and
   * {@code total} (received until the response ended).
   */
  public static final String ACQUIRE_STAGE = "trynow.gateway.acquire.stage";

  /** The acquire path's stages, in order (see {@link #ACQUIRE_STAGE}). */
  public enum Stage {
    DISPATCH,
    ACQUIRE_READY,
    PUBLISH,
    REPLY,
    RESPOND,
    TOTAL
  }

  private final MeterRegistry meters;
  private final java.util.EnumMap<Stage, Timer> stages = new java.util.EnumMap<>(Stage.class);

  public GatewayMetrics(MeterRegistry meters, SseLimiter sse) {
    this.meters = meters;
    Gauge.builder(SSE_OPEN, sse, SseLimiter::open)
        .description("Server-Sent Event streams open")
        .register(meters);
    for (Stage s : Stage.values()) {
      stages.put(
          s,
          StageTimers.stage(
              meters,
              ACQUIRE_STAGE,
              "Acquire time by stage",
              s.name().toLowerCase(java.util.Locale.ROOT)));
    }
  }

  /** Records {@code nanos} spent in {@code stage} of an acquire (negative: not recorded). */
  public void stage(Stage stage, long nanos) {
    if (nanos >= 0) {
      stages.get(stage).record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** The meters of one (template, outcome), built once: no builder or registry lookup per call. */
  private record Answered(Counter count, Timer duration) {}

  private final java.util.concurrent.ConcurrentMap<String, Answered> answered =
      new java.util.concurrent.ConcurrentHashMap<>();

  public void acquire(String template, String outcome, long nanos) {
    Answered a =
        answered.computeIfAbsent(
            template + '\u0000' + outcome,
            k ->
                new Answered(
                    Counter.builder(ACQUIRES)
                        .description("Acquires answered, by outcome")
                        .tag("template", template)
                        .tag("outcome", outcome)
                        .register(meters),
                    Latency.histogram(ACQUIRE_DURATION)
                        .description("POST /v1/demos latency")
                        .tag("outcome", outcome)
                        .register(meters)));
    a.count().increment();
    a.duration().record(nanos, TimeUnit.NANOSECONDS);
  }
}
