package io.trynow.proxysync;

/**
 * Metric names of proxy-sync (Prometheus adds {@code _total} to counters). Tags are
 * low-cardinality.
 */
public final class ProxySyncMetrics {

  private ProxySyncMetrics() {}

  /** Writes to Caddy's config, tag {@code outcome}: ok, conflict (412), rejected. */
  public static final String CADDY_WRITES = "trynow.proxy.caddy.writes";

  /** Route changes applied, tag {@code change}: added, removed, changed, duplicate. */
  public static final String ROUTE_CHANGES = "trynow.proxy.route.changes";

  /** Times the demo server was missing from Caddy (fresh or restarted empty) and created. */
  public static final String SERVER_CREATED = "trynow.proxy.server.created";

  /**
   * Sync cycles, tag {@code outcome}: ok (read and write the difference), confirmed (Caddy already
   * held what the requests waited for: answered within the write interval, nothing written),
   * failed.
   */
  public static final String SYNC_CYCLES = "trynow.proxy.sync.cycles";

  /** Routes currently confirmed in Caddy (gauge). */
  public static final String ROUTES = "trynow.proxy.routes";

  /**
   * {@code trynow_queue_wait_seconds{template}}: a queued visitor's wait, request to the demo
   * handed over (histogram, {@code Latency}); visitors served warm do not wait.
   */
  public static final String QUEUE_WAIT = "trynow.queue.wait";

  /** Instances moved started → ready/assigned, tag {@code via}: event, reconcile. */
  public static final String MARKED_READY = "trynow.proxy.marked.ready";
}
