package io.trynow.proxysync.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.trynow.platform.messaging.ConsumerSettings;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * proxy-sync's loops. The Caddy side is {@link CaddyConfig}; demo host names, public URLs, Caddy's
 * listen address and upstreams come from platform's {@code Endpoints} ({@code trynow.endpoints.*}).
 */
@ConfigMapping(prefix = "trynow.proxy-sync")
public interface ProxySyncConfig {

  /** Run the event consumer and the reconcile loop (off only in adapter tests). */
  @WithDefault("true")
  boolean loopsEnabled();

  /** Events arriving within this window after the first one are applied in one write. */
  @WithDefault("20ms")
  Duration coalesceWindow();

  /**
   * Writes to Caddy asked for by events are at least this far apart: route changes that arrive
   * meanwhile go into the next write together. Every write is a full config reload in Caddy, which
   * closes the idle keep-alive connections of every demo (see the README); the cost is up to this
   * much extra time before a new instance's route exists. 0 = write as soon as the coalesce window
   * has passed.
   */
  @WithDefault("500ms")
  Duration minWriteInterval();

  /** Period of the reconcile loop (drift repair, empty-Caddy rebuild, stuck started). */
  @WithDefault("2s")
  Duration reconcileInterval();

  /** How long an event handler waits for its route to be confirmed in Caddy. */
  @WithDefault("15s")
  Duration confirmTimeout();

  /** The instance-event consumer ({@code trynow.proxy-sync.event-consumer.*}). */
  EventConsumer eventConsumer();

  /** Settings of the durable consumer of instance events, shared by every replica. */
  interface EventConsumer extends ConsumerSettings {
    @Override
    @WithDefault("proxy-sync")
    String durable();

    @Override
    @WithDefault("30s")
    Duration ackWait();

    @Override
    @WithDefault("250ms,1s,3s,10s")
    List<Duration> backoff();

    @Override
    @WithDefault("10")
    int maxDeliver();

    /** Instance events handled at once (they mostly wait together on one coalesced write). */
    @Override
    @WithDefault("32")
    int concurrency();

    /** Events delivered and not yet acked across all replicas (at least the concurrency). */
    @Override
    @WithDefault("256")
    Optional<Integer> maxAckPending();
  }

  /**
   * Fault injection for crash tests only: sleep this long after a route is confirmed and before
   * {@code mark_ready}, so that a test can kill -9 the process in exactly that window. Refused in
   * the prod profile (startup fails naming this key); a packaged jar runs it only with {@code
   * quarkus.profile=failpoints} ({@code Failpoints}). A warning is logged at startup when it is
   * set.
   */
  Optional<Duration> failpointDelayBeforeMarkReady();
}
