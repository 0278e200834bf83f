package io.trynow.cleanup.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.trynow.platform.messaging.ConsumerSettings;
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
   * The teardown backlog: {@code terminating} instances nobody holds a claim on are torn down from
   * Valkey's state (at startup, and whenever a teardown request is late or lost), not only from
   * message redelivery.
   */
  Backlog backlog();

  /** Teardown backlog settings. */
  interface Backlog {
    /** How often unclaimed {@code terminating} instances are looked for. */
    @WithDefault("1s")
    Duration interval();

    /**
     * An unclaimed {@code terminating} instance younger than this is left to its teardown request
     * (normally claimed within milliseconds); at startup every unclaimed one is taken at once.
     */
    @WithDefault("2s")
    Duration grace();
  }

  /** The reconciler's repair of what counts (state sets, ready lists, per-address slots). */
  Indexes indexes();

  /** Index repair settings. */
  interface Indexes {
    /** Period of a shallow repair (the ids the indexes name; cost grows with the live records). */
    @WithDefault("30s")
    Duration interval();

    /** Every this many passes (and the first) is deep: it scans the whole keyspace. */
    @WithDefault("20")
    int deepEvery();
  }

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
     * Shortest time between two passes. A pass runs when the earliest expiry is due (read from the
     * expiry index after each pass), at least this long after the previous one.
     */
    @WithDefault("100ms")
    Duration interval();

    /**
     * Longest time between two passes when no expiry is due sooner: bounds the reap lag of a demo
     * whose whole TTL is shorter than this (it was assigned after the last pass read the index).
     */
    @WithDefault("1s")
    Duration maxWait();

    /** Most instances claimed per call; the reaper loops until a call returns fewer. */
    @WithDefault("100")
    int batch();
  }

  /** Consumer settings. */
  interface Consumer extends ConsumerSettings {
    /** Durable name, shared by all replicas. */
    @Override
    @WithDefault("cleanup")
    String durable();

    /**
     * Silence after which the server redelivers (in-progress heartbeats, every third of it, keep a
     * running teardown alive): a killed worker's requests come back after this plus the first
     * backoff. Teardowns left by a dead worker are also picked up from Valkey by the backlog loop.
     */
    @Override
    @WithDefault("5s")
    Duration ackWait();

    /** Retry delays by delivery, the last one repeating. */
    @Override
    @WithDefault("500ms,2s,10s,30s")
    List<Duration> backoff();

    /** Deliveries before the request is dead-lettered (the sweeper still finishes it). */
    @Override
    @WithDefault("8")
    int maxDeliver();

    /** Teardowns run at once in this process. */
    @Override
    @WithDefault("16")
    int concurrency();

    /**
     * Lease of a teardown claim, renewed every third of it by the worker's lease heartbeat while
     * the teardown runs: a dead worker's claims lapse within one lease. At least 300ms.
     */
    @WithDefault("6s")
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
