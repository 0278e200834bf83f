package io.trynow.pool;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.util.concurrent.TimeUnit;

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
   * {@code trynow_pool_queue_unavailable_total{template}}: queued requests dropped because their
   * template's failure circuit opened.
   */
  public static final String QUEUE_UNAVAILABLE = "trynow.pool.queue.unavailable";

  /**
   * {@code trynow_pool_acquire_stage_seconds{stage}}, p50/p90/p99: {@code lag} (gateway's clock at
   * the request to the handler's start, ms resolution), {@code store} (the acquire call), {@code
   * reply} (handler start to reply sent).
   */
  public static final String ACQUIRE_STAGE = "trynow.pool.acquire.stage";

  private final MeterRegistry meters;
  private final Timer lag;
  private final Timer store;
  private final Timer reply;
  private final Timer claimCheck;

  public PoolMetrics(MeterRegistry meters) {
    this.meters = meters;
    this.lag = stage("lag");
    this.store = stage("store");
    this.reply = stage("reply");
    this.claimCheck = stage("claim-check");
  }

  private Timer stage(String name) {
    return Timer.builder(ACQUIRE_STAGE)
        .description("Acquire handling time by stage")
        .tag("stage", name)
        .publishPercentiles(0.5, 0.9, 0.99)
        .distributionStatisticExpiry(java.time.Duration.ofSeconds(30))
        .register(meters);
  }

  public void stages(long lagMs, long storeNanos, long replyNanos) {
    lag.record(Math.max(0, lagMs), TimeUnit.MILLISECONDS);
    store.record(storeNanos, TimeUnit.NANOSECONDS);
    reply.record(replyNanos, TimeUnit.NANOSECONDS);
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
