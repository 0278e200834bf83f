package io.trynow.pool.sizing;

import io.trynow.model.CleanupRequest;
import io.trynow.model.InstanceEventKind;
import io.trynow.platform.messaging.InstanceEvents;
import io.trynow.platform.messaging.MessagingException;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.PoolDemand;
import io.trynow.platform.state.Store;
import io.trynow.platform.template.TemplatesConfig.Slo;
import io.trynow.platform.template.TemplatesConfig.Template;
import io.trynow.pool.PoolMetrics;
import io.trynow.pool.config.PoolSettings;
import io.trynow.pool.replenish.Replenisher;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The pool-target loop (supervised, every {@code trynow.pool.target-interval}, in every replica):
 * per template, one {@code observe_demand} call folds the new arrivals into the rate estimate kept
 * in Valkey; for a template with a service target ({@code slo.*}) {@link PoolSizer} computes the
 * ready target from the stored estimate and {@code set_pool_target} stores it (compare-and-set on
 * the estimate's version, so replicas never overwrite a newer decision with an older one); {@code
 * reserve_provision} reads it. Surplus ready instances above the target are retired one per {@code
 * scale-down-step} ({@code retire_surplus}, then a teardown request each). Without a service target
 * the stored target is cleared and min-ready alone applies.
 */
@Singleton
public class PoolTargets {

  private static final Logger LOG = Logger.getLogger(PoolTargets.class);
  static final String SURPLUS = "surplus above the pool target";

  private final Store store;
  private final PoolSettings settings;
  private final Replenisher replenisher;
  private final Publisher publisher;
  private final InstanceEvents events;
  private final PoolMetrics metrics;
  private final InstantSource clock;

  @Inject
  public PoolTargets(
      Store store,
      PoolSettings settings,
      Replenisher replenisher,
      Publisher publisher,
      InstanceEvents events,
      PoolMetrics metrics) {
    this(store, settings, replenisher, publisher, events, metrics, InstantSource.system());
  }

  PoolTargets(
      Store store,
      PoolSettings settings,
      Replenisher replenisher,
      Publisher publisher,
      InstanceEvents events,
      PoolMetrics metrics,
      InstantSource clock) {
    this.store = store;
    this.settings = settings;
    this.replenisher = replenisher;
    this.publisher = publisher;
    this.events = events;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** One update of every configured template. */
  public void updateAll() {
    for (Map.Entry<String, Template> e : settings.templates().entrySet()) {
      update(e.getKey(), e.getValue());
    }
  }

  /** One update of one template; returns the target in force. */
  public int update(String name, Template tpl) {
    Slo slo = tpl.slo();
    PoolDemand d = store.sizing().observeDemand(name, slo.window(), slo.effectiveBurstWindow());
    if (!slo.enabled()) {
      if (d.target() != 0) {
        store.sizing().setPoolTarget(d, 0, 0, true, 0, 0, 0);
      }
      metrics.target(name, PoolSizer.rate(d, slo), d.hitRate(), 0, tpl.minReady());
      return tpl.minReady();
    }
    PoolSizer.Decision x =
        PoolSizer.decide(slo, tpl.minReady(), tpl.maxTotal(), tpl.maxInFlight(), d, clock.millis());
    if (store
        .sizing()
        .setPoolTarget(
            d, x.target(), x.refillMs(), x.moved(), x.ratePerSecond(), x.raw(), x.slotWaitMs())) {
      if (x.target() > d.target()) {
        LOG.infof(
            "template %s: ready target %d -> %d (%.3f arrivals/s, refill %d ms of which %d ms"
                + " waiting for a slot)",
            name, d.target(), x.target(), x.ratePerSecond(), x.refillMs(), x.slotWaitMs());
        replenisher.wake(name);
      } else if (x.moved()) {
        LOG.infof("template %s: ready target %d -> %d", name, d.target(), x.target());
      }
    }
    metrics.target(name, x.ratePerSecond(), d.hitRate(), x.refillMs(), x.target());
    retire(name, Math.max(tpl.minReady(), x.target()), slo);
    return x.target();
  }

  private void retire(String name, int keep, Slo slo) {
    List<Instance> gone = store.sizing().retireSurplus(name, keep, 1, slo.scaleDownStep(), SURPLUS);
    for (Instance i : gone) {
      try {
        events.publish(InstanceEventKind.TERMINATING, i, SURPLUS);
        publisher.publish(new CleanupRequest(i.id(), "surplus", null));
      } catch (MessagingException e) {
        // The orphan sweeper tears down a terminating instance nobody claimed.
        LOG.warnf("retired %s, its teardown request was not published: %s", i.id(), e.getMessage());
      }
    }
    if (!gone.isEmpty()) {
      metrics.retired(name, gone.size());
      LOG.infof(
          "template %s: retired %d surplus ready instance(s), keeping %d", name, gone.size(), keep);
    }
  }
}
