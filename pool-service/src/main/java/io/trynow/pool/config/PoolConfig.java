package io.trynow.pool.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.trynow.platform.messaging.ConsumerSettings;
import java.time.Duration;
import java.util.List;

/**
 * pool-service's settings ({@code trynow.pool.*}, env {@code TRYNOW_POOL_...}). Templates
 * themselves are {@code trynow.templates.<name>.*} ({@link
 * io.trynow.platform.template.TemplatesConfig}); both are checked at startup by {@link
 * PoolSettings}.
 */
@ConfigMapping(prefix = "trynow.pool")
public interface PoolConfig {

  /**
   * A queued request that got no demo within this time expires (and its rate-limit slot is
   * refunded).
   */
  @WithDefault("5m")
  Duration queueTimeout();

  /** Period of the expiry sweep of the wait queues. */
  @WithDefault("1s")
  Duration expireInterval();

  /**
   * Period of the replenisher's safety-net run (it also runs after every acquire and termination).
   */
  @WithDefault("5s")
  Duration replenishInterval();

  /**
   * A {@code requested} record older than this whose provision message may have been lost gets it
   * published again (same msg id; the provisioner's claim makes a repeat harmless).
   */
  @WithDefault("30s")
  Duration republishAfter();

  /** Provisioning time assumed for the ETA until one has been measured. */
  @WithDefault("10s")
  Duration provisionEstimate();

  /** Window over which the provisioning rate behind the ETA is measured. */
  @WithDefault("5m")
  Duration rateWindow();

  /** Period of the queue-position notifier's safety-net run. */
  @WithDefault("2s")
  Duration positionInterval();

  /**
   * Period of the pool-target loop: folds each template's arrivals into its rate estimate,
   * recomputes the ready target of templates with a service target ({@code
   * trynow.templates.<name>.slo.*}) and retires surplus ready instances.
   */
  @WithDefault("1s")
  Duration targetInterval();

  /**
   * The acquire consumer ({@code trynow.pool.acquire-consumer.*}): short ack-wait and fast retries,
   * a visitor is waiting.
   */
  AcquireConsumer acquireConsumer();

  /** Settings of the durable consumer of acquire requests, shared by every replica. */
  interface AcquireConsumer extends ConsumerSettings {
    @Override
    @WithDefault("pool-acquire")
    String durable();

    @Override
    @WithDefault("10s")
    Duration ackWait();

    @Override
    @WithDefault("100ms,500ms,2s")
    List<Duration> backoff();

    @Override
    @WithDefault("5")
    int maxDeliver();

    /** Most acquire messages handled at once in this process (1..4096). */
    @Override
    @WithDefault("64")
    int concurrency();
  }
}
