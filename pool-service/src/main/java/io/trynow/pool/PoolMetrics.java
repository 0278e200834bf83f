package io.trynow.pool;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

/** pool-service's meters; tags are {@code template} and {@code outcome} only. */
@Singleton
public class PoolMetrics {

  /** {@code trynow_pool_acquires_total{template,outcome}}: assigned, queued, full, limited, ... */
  public static final String ACQUIRES = "trynow.pool.acquires";

  /** {@code trynow_pool_provision_requests_total{template}}: records reserved and published. */
  public static final String PROVISION_REQUESTS = "trynow.pool.provision.requests";

  /** {@code trynow_pool_queue_expired_total{template}}: waits that timed out. */
  public static final String QUEUE_EXPIRED = "trynow.pool.queue.expired";

  private final MeterRegistry meters;

  public PoolMetrics(MeterRegistry meters) {
    this.meters = meters;
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

  public void queueExpired(String template, int n) {
    Counter.builder(QUEUE_EXPIRED)
        .description("Queued requests that waited too long")
        .tag("template", template)
        .register(meters)
        .increment(n);
  }
}
