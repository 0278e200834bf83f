package io.trynow.gateway.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.StartupEvent;
import io.trynow.gateway.admin.DeadLetterOps;
import io.trynow.platform.state.PoolStats;
import io.trynow.platform.state.Store;
import io.trynow.platform.supervisor.Supervisor;
import io.trynow.platform.template.TemplatesConfig;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Fleet-wide gauges read from the shared state every {@link #PERIOD} by a supervised loop (never at
 * scrape time): instances per template and state, queued visitors per template, dead letters per
 * original subject (ids folded to {@code *}). Every gateway replica reports the same values:
 * aggregate them with {@code max}, not {@code sum}.
 */
@Singleton
public class FleetGauges {

  private static final Logger LOG = Logger.getLogger(FleetGauges.class);

  /** {@code trynow_pool_instances{template,state}}: live instances by state. */
  public static final String POOL_INSTANCES = "trynow.pool.instances";

  /** {@code trynow_pool_queued{template}}: visitors waiting for a demo. */
  public static final String POOL_QUEUED = "trynow.pool.queued";

  /** {@code trynow_dlq_depth{subject}}: dead letters stored, by original subject. */
  public static final String DLQ_DEPTH = "trynow.dlq.depth";

  /**
   * {@code trynow_reap_lag_seconds}: how long the most overdue assigned demo has been past its
   * expiry (0 when none): the reaper's lag.
   */
  public static final String REAP_LAG = "trynow.reap.lag";

  static final Duration PERIOD = Duration.ofSeconds(5);

  private final java.util.concurrent.atomic.AtomicLong reapLagMs =
      new java.util.concurrent.atomic.AtomicLong();

  private final Store store;
  private final TemplatesConfig templates;
  private final DeadLetterOps deadLetters;
  private final MultiGauge instances;
  private final MultiGauge queued;
  private final MultiGauge dlq;

  public FleetGauges(
      Store store, TemplatesConfig templates, DeadLetterOps deadLetters, MeterRegistry meters) {
    this.store = store;
    this.templates = templates;
    this.deadLetters = deadLetters;
    this.instances =
        MultiGauge.builder(POOL_INSTANCES)
            .description("Live instances per template and state (fleet-wide)")
            .register(meters);
    this.queued =
        MultiGauge.builder(POOL_QUEUED)
            .description("Visitors waiting for a demo, per template (fleet-wide)")
            .register(meters);
    io.micrometer.core.instrument.Gauge.builder(REAP_LAG, reapLagMs, ms -> ms.get() / 1000.0)
        .description("Most overdue assigned demo: seconds past its expiry (fleet-wide)")
        .baseUnit("seconds")
        .register(meters);
    this.dlq =
        MultiGauge.builder(DLQ_DEPTH)
            .description("Dead letters stored, per original subject (fleet-wide)")
            .register(meters);
  }

  void start(@Observes StartupEvent ev, Supervisor supervisor) {
    try {
      refresh();
    } catch (RuntimeException e) {
      // gauges are a view: a store or NATS hiccup at boot must not stop the gateway starting;
      // the supervised loop below fills them on its next pass
      LOG.warnf(
          "fleet gauges: first refresh failed (%s); retried every %s", e.getMessage(), PERIOD);
    }
    supervisor.every("fleet-gauges", PERIOD, this::refresh);
  }

  /** Reads the state once and replaces every row (a template or subject gone drops out). */
  void refresh() {
    Set<String> names = new LinkedHashSet<>(templates.templates().keySet());
    names.addAll(store.templates());
    List<MultiGauge.Row<?>> byState = new ArrayList<>();
    List<MultiGauge.Row<?>> waiting = new ArrayList<>();
    for (String t : names) {
      PoolStats s = store.poolStats(t);
      Map<String, Long> states =
          Map.of(
              "requested", s.requested(),
              "provisioning", s.provisioning(),
              "started", s.started(),
              "ready", s.ready(),
              "assigned", s.assigned(),
              "terminating", s.terminating());
      states.forEach(
          (state, n) -> byState.add(MultiGauge.Row.of(Tags.of("template", t, "state", state), n)));
      waiting.add(MultiGauge.Row.of(Tags.of("template", t), s.waiting()));
    }
    instances.register(byState, true);
    // the most overdue assigned demo is the expiry index's first entry: one lookup, never a scan
    // of every assigned instance (which blocks Valkey for every caller as the fleet grows)
    java.time.Instant now = java.time.Instant.now();
    reapLagMs.set(
        store
            .oldestExpiry()
            .filter(at -> at.isBefore(now))
            .map(at -> Duration.between(at, now).toMillis())
            .orElse(0L));
    queued.register(waiting, true);
    // every template's provision subject is always there (0 when empty), so that alerts on its
    // growth have a series to compare with
    Map<String, Long> bySubject = new java.util.TreeMap<>();
    for (String t : names) {
      bySubject.put(io.trynow.model.Subjects.provision(t), 0L);
    }
    bySubject.putAll(deadLetters.depthBySubject());
    List<MultiGauge.Row<?>> depth = new ArrayList<>();
    bySubject.forEach((subject, n) -> depth.add(MultiGauge.Row.of(Tags.of("subject", subject), n)));
    dlq.register(depth, true);
  }
}
