package io.trynow.pool;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.trynow.platform.metrics.StageTimers;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/** pool-service's meters; tags are {@code template} and {@code outcome} only. */
@Singleton
public class PoolMetrics {

  /** {@code trynow_pool_acquires_total{template,outcome}}: assigned, queued, full, limited, ... */
  public static final String ACQUIRES = "trynow.pool.acquires";

  /** {@code trynow_pool_provision_requests_total{template}}: records reserved and published. */
  public static final String PROVISION_REQUESTS = "trynow.pool.provision.requests";

  /** {@code trynow_pool_queue_expired_total{template}}: waits that timed out. */
  public static final String QUEUE_EXPIRED = "trynow.pool.queue.expired";

  /**
   * {@code trynow_pool_claims_discarded_total{template}}: instances that failed the claim check.
   */
  public static final String CLAIMS_DISCARDED = "trynow.pool.claims.discarded";

  /**
   * {@code trynow_pool_hook_failures_total{template, reason}}: on-claim hooks that failed ({@code
   * reason}: {@code timeout}, {@code status} (not 2xx), {@code error} (connection)); each one
   * discarded its instance. The admin API shows the total per template from Valkey.
   */
  public static final String HOOK_FAILURES = "trynow.pool.hook.failures";

  /**
   * {@code trynow_pool_queue_unavailable_total{template}}: queued requests dropped because their
   * template's failure circuit opened.
   */
  public static final String QUEUE_UNAVAILABLE = "trynow.pool.queue.unavailable";

  /**
   * {@code trynow_pool_acquire_stage_seconds{stage}}, a histogram ({@code _bucket}): {@code
   * deliver} (the stream stored the request until its handler started: the pull, this process's
   * fetch loop and the hand-off; wall clocks of one machine, microseconds), {@code handoff} (the
   * fetch loop handed it over until the handler started), {@code store} (the claim, one Lua call),
   * {@code reply} (handler start until the reply was sent), {@code claim-check} (the probe of a
   * just-assigned instance, with {@code probe-before-claim}).
   */
  public static final String ACQUIRE_STAGE = "trynow.pool.acquire.stage";

  /** {@code trynow_pool_target{template}}: the ready target in force (min-ready or the SLO's). */
  public static final String TARGET = "trynow.pool.target";

  /** {@code trynow_pool_arrival_rate{template}}: arrivals per second (the EWMA in Valkey). */
  public static final String ARRIVAL_RATE = "trynow.pool.arrival.rate";

  /** {@code trynow_pool_refill_seconds{template}}: the refill time the target was computed with. */
  public static final String REFILL = "trynow.pool.refill.seconds";

  /** {@code trynow_pool_hit_rate{template}}: share of arrivals served warm over the window. */
  public static final String HIT_RATE = "trynow.pool.hit.rate";

  /** {@code trynow_pool_retired_total{template}}: surplus ready instances retired. */
  public static final String RETIRED = "trynow.pool.retired";

  private final MeterRegistry meters;
  private final Timer deliver;
  private final Timer handoff;
  private final Timer store;
  private final Timer reply;
  private final Timer claimCheck;
  private final Map<String, Figures> figures = new ConcurrentHashMap<>();

  public PoolMetrics(MeterRegistry meters) {
    this.meters = meters;
    this.deliver = stage("deliver");
    this.handoff = stage("handoff");
    this.store = stage("store");
    this.reply = stage("reply");
    this.claimCheck = stage("claim-check");
  }

  private Timer stage(String name) {
    return StageTimers.stage(meters, ACQUIRE_STAGE, "Acquire handling time by stage", name);
  }

  /** One acquire's stages, in nanoseconds (a negative one is not recorded: clocks disagreed). */
  public void stages(long deliverNanos, long handoffNanos, long storeNanos, long replyNanos) {
    record(deliver, deliverNanos);
    record(handoff, handoffNanos);
    record(store, storeNanos);
    record(reply, replyNanos);
  }

  private static void record(Timer t, long nanos) {
    if (nanos >= 0) {
      t.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** The latest estimate and target of a template, read by its gauges. */
  public void target(String template, double rate, double hitRate, long refillMs, int target) {
    Figures f =
        figures.computeIfAbsent(
            template,
            t -> {
              Figures n = new Figures();
              gauge(TARGET, "Ready target in force", t, n, x -> x.target);
              gauge(ARRIVAL_RATE, "Arrivals per second (EWMA)", t, n, x -> x.rate);
              gauge(REFILL, "Refill time used by the target", t, n, x -> x.refillSeconds);
              gauge(HIT_RATE, "Share of arrivals served warm (EWMA)", t, n, x -> x.hitRate);
              return n;
            });
    f.rate = rate;
    f.hitRate = hitRate;
    f.refillSeconds = refillMs / 1000.0;
    f.target = target;
  }

  public void retired(String template, int n) {
    Counter.builder(RETIRED)
        .description("Surplus ready instances retired")
        .tag("template", template)
        .register(meters)
        .increment(n);
  }

  private void gauge(
      String name, String help, String template, Figures f, ToDoubleFunction<Figures> value) {
    Gauge.builder(name, f, value).description(help).tag("template", template).register(meters);
  }

  /** Latest figures of one template. */
  private static final class Figures {
    volatile double rate;
    volatile double hitRate = 1;
    volatile double refillSeconds;
    volatile double target;
  }

  public void acquire(String template, String outcome) {
    Counter.builder(ACQUIRES)
        .description("Acquire requests handled, by outcome")
        .tag("template", template)
        .tag("outcome", outcome)
        .register(meters)
        .increment();
  }

  public void provisionRequested(String template, int n) {
    Counter.builder(PROVISION_REQUESTS)
        .description("Instances reserved for provisioning")
        .tag("template", template)
        .register(meters)
        .increment(n);
  }

  /**
   * The claim check right before a visitor gets an instance: its time (stage {@code claim-check} of
   * {@link #ACQUIRE_STAGE}) and, when it fails, {@code trynow_pool_claims_discarded_total}.
   */
  public void claimCheck(String template, long nanos, boolean passed) {
    claimCheck.record(nanos, TimeUnit.NANOSECONDS);
    if (!passed) {
      Counter.builder(CLAIMS_DISCARDED)
          .description("Instances discarded because they failed the claim check")
          .tag("template", template)
          .register(meters)
          .increment();
    }
  }

  /** One failed on-claim hook ({@link #HOOK_FAILURES}). */
  public void hookFailed(String template, String reason) {
    Counter.builder(HOOK_FAILURES)
        .description("On-claim hooks that failed or timed out (the instance was discarded)")
        .tag("template", template)
        .tag("reason", reason)
        .register(meters)
        .increment();
  }

  public void queueUnavailable(String template, int n) {
    Counter.builder(QUEUE_UNAVAILABLE)
        .description("Queued requests dropped because their template became unavailable")
        .tag("template", template)
        .register(meters)
        .increment(n);
  }

  public void queueExpired(String template, int n) {
    Counter.builder(QUEUE_EXPIRED)
        .description("Queued requests that waited too long")
        .tag("template", template)
        .register(meters)
        .increment(n);
  }
}
