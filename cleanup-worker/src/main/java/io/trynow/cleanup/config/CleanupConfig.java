package io.trynow.cleanup.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;

/**
 * cleanup-worker settings ({@code trynow.cleanup.*}, env {@code TRYNOW_CLEANUP_...}). The engine
 * connection is {@code trynow.docker.*}.
 */
@ConfigMapping(prefix = "trynow.cleanup")
public interface CleanupConfig {

  /** The reaper: expired instances → terminating → a teardown request each. */
  Reaper reaper();

  /** The teardown consumer of {@code trynow.cleanup.>}. */
  Consumer consumer();

  /** The orphan sweeper: level-triggered repair of what events missed. */
  Sweeper sweeper();

  /**
   * The idle prober: every ready instance re-probed on a timer; a dead one (or one idle longer than
   * its template's {@code max-idle}) is recycled and torn down.
   */
  Idle idle();

  /** Idle prober settings. */
  interface Idle {
    /**
     * Off: ready instances are checked only at provisioning (and at claim, if the template asks).
     */
    @WithDefault("true")
    boolean enabled();

    /** Period of one round over every ready instance. */
    @WithDefault("15s")
    Duration interval();

    /**
     * Timeout of one probe; a probe that times out recycles only when the engine says the container
     * is not running.
     */
    @WithDefault("2s")
    Duration probeTimeout();

    /** Probes in flight at once. */
    @WithDefault("32")
    int parallelism();
  }

  /** Reaper settings. */
  interface Reaper {
    /**
     * How often expired instances are looked for (bounds the reap lag; one cheap Valkey call per
     * tick).
     */
    @WithDefault("100ms")
    Duration interval();

    /** Most instances claimed per call; the reaper loops until a call returns fewer. */
    @WithDefault("100")
    int batch();
  }

  /** Consumer settings. */
  interface Consumer {
    /** Durable name, shared by all replicas. */
    @WithDefault("cleanup")
    String durable();

    /** Silence after which the server redelivers. */
    @WithDefault("30s")
    Duration ackWait();

    /** Retry delays by delivery, the last one repeating. */
    @WithDefault("500ms,2s,10s,30s")
    List<Duration> backoff();

    /** Deliveries before the request is dead-lettered (the sweeper still finishes it). */
    @WithDefault("8")
    int maxDeliver();

    /** Teardowns run at once in this process. */
    @WithDefault("16")
    int concurrency();

    /** Lease of a teardown claim. */
    @WithDefault("30s")
    Duration lease();
  }

  /** Sweeper settings. */
  interface Sweeper {
    /** Time between passes. */
    @WithDefault("10s")
    Duration interval();

    /** A managed container with no live record is removed only when older than this. */
    @WithDefault("60s")
    Duration orphanGrace();

    /** A {@code requested} record older than this is failed (its provision request was lost). */
    @WithDefault("10m")
    Duration requestedDeadline();

    /**
     * A {@code provisioning} record whose claim lease has been over for this long (no worker took
     * it back) is failed, its container removed.
     */
    @WithDefault("2m")
    Duration provisioningDeadline();

    /** A {@code started} record older than this (proxy-sync never made it ready) is failed. */
    @WithDefault("5m")
    Duration startedDeadline();

    /** A {@code terminating} record unclaimed (or lease over) for this long is torn down here. */
    @WithDefault("15s")
    Duration terminatingGrace();
  }
}
