package io.trynow.proxysync.reconcile;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.trynow.model.InstanceEventKind;
import io.trynow.platform.messaging.InstanceEvents;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.metrics.Latency;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.NotFound;
import io.trynow.platform.state.ReadyResult;
import io.trynow.platform.state.Store;
import io.trynow.platform.state.WrongState;
import io.trynow.platform.template.TemplatesConfig;
import io.trynow.proxysync.ProxySyncMetrics;
import io.trynow.proxysync.config.ProxySyncConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * {@code started → ready} (or straight to a waiting visitor: {@code assigned}) once the route is
 * confirmed in Caddy, and the events that say so. Idempotent: a repeat finds the instance already
 * moved and publishes the same events with the same msg ids, which JetStream drops.
 */
@ApplicationScoped
public class ReadyMarker {

  private static final Logger LOG = Logger.getLogger(ReadyMarker.class);

  private final Store store;
  private final Publisher publisher;
  private final RouteSync routes;
  private final MeterRegistry metrics;
  private final Duration failpoint;
  private final TemplatesConfig templates;

  ReadyMarker(
      Store store,
      Publisher publisher,
      RouteSync routes,
      MeterRegistry metrics,
      ProxySyncConfig config,
      TemplatesConfig templates) {
    this.templates = templates;
    this.store = store;
    this.publisher = publisher;
    this.routes = routes;
    this.metrics = metrics;
    this.failpoint = config.failpointDelayBeforeMarkReady().orElse(null);
    // every template's histogram exists (empty) before its first queued visitor is served
    templates.templates().keySet().forEach(this::queueWaitHistogram);
  }

  private Timer queueWaitHistogram(String template) {
    return Latency.histogram(ProxySyncMetrics.QUEUE_WAIT)
        .description("Queued visitor's wait: request to demo handed over")
        .tag("template", template)
        .register(metrics);
  }

  /** Records how long the visitor of {@code requestId} waited for {@code i}. */
  private void queueWait(Instance i, String requestId) {
    try {
      store
          .request(requestId)
          .filter(r -> r.createdAt() != null && i.assignedAt() != null)
          .ifPresent(r ->
              queueWaitHistogram(i.template())
                  .record(Duration.between(r.createdAt(), i.assignedAt()).abs()));
    } catch (RuntimeException e) {
      LOG.debugf("queue wait of %s not recorded: %s", requestId, e);
    }
  }

  /**
   * Marks a started instance whose route Caddy holds ready, and publishes what happened. An
   * instance of a template whose claims are checked (probe before claim, on-claim hook) is pooled
   * even when visitors wait: pool-service hands it over after the check ({@code serve_queue}).
   *
   * @param template the instance's template
   * @param via {@code event} or {@code reconcile}, for the metric
   */
  public void markReady(String instanceId, String template, String via) {
    if (failpoint != null) {
      LOG.warnf(
          "failpoint: route of %s confirmed, sleeping %s before mark_ready", instanceId, failpoint);
      sleep(failpoint);
    }
    TemplatesConfig.Template tpl = template == null ? null : templates.templates().get(template);
    boolean handOver = tpl == null || !tpl.checksClaims();
    ReadyResult result =
        store.provisioning().markReady(instanceId, routes.publicUrl(instanceId), handOver);
    switch (result) {
      case ReadyResult.Pooled p -> {
        count(via, p.repeat());
        publisher.publish(InstanceEvents.of(InstanceEventKind.READY, p.instance(), null));
        LOG.infof("instance %s ready (%s)", instanceId, via);
      }
      case ReadyResult.HandedOver h -> {
        count(via, h.repeat());
        Instance i = h.instance();
        publisher.publish(InstanceEvents.of(InstanceEventKind.ASSIGNED, i, null));
        publisher.publish(InstanceEvents.assigned(h.requestId(), i));
        LOG.infof("instance %s handed to waiting request %s (%s)", instanceId, h.requestId(), via);
        if (!h.repeat()) {
          queueWait(i, h.requestId());
        }
      }
      case WrongState w -> LOG.debugf("instance %s is %s: not marked ready", instanceId, w.state());
      case NotFound n -> LOG.debugf("instance %s is gone: not marked ready", instanceId);
    }
  }

  private void count(String via, boolean repeat) {
    if (!repeat) {
      metrics.counter(ProxySyncMetrics.MARKED_READY, "via", via).increment();
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
