package io.trynow.pool.replenish;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.trynow.model.InstanceState;
import io.trynow.model.ProvisionRequest;
import io.trynow.platform.messaging.MessagingException;
import io.trynow.platform.messaging.Publisher;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.ReserveArgs;
import io.trynow.platform.state.ReserveResult;
import io.trynow.platform.state.Store;
import io.trynow.platform.supervisor.Loop;
import io.trynow.platform.template.TemplatesConfig;
import io.trynow.pool.PoolMetrics;
import io.trynow.pool.acquire.QueueServer;
import io.trynow.pool.config.PoolSettings;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Keeps every template's pool at its target. Woken after each acquire and each termination, and on
 * a timer as a safety net; wake-ups coalesce (no pile-up of triggers). The decision how many to
 * create is {@code reserve_provision}, counted inside one Valkey call, so any number of replicas
 * and triggers never over-provision. Each reserved id gets one provision message (msg id = instance
 * id); a {@code requested} record whose message may have been lost is published again after {@code
 * republish-after}, and every requested record at once by the first full run after a start (the
 * previous process may have died before its publish).
 */
@Singleton
public class Replenisher implements Loop {

  private static final Logger LOG = Logger.getLogger(Replenisher.class);
  private static final Duration MAX_WAIT = Duration.ofMillis(500);

  /**
   * Wake-ups within this window after the first one make one run. Short: in a flash crowd every
   * freed provisioning slot ({@code started}) waits this long before the next reserve, so it is
   * engine time lost per provision per slot (20 ms here cost ~4 % of the crowd's floor); a reserve
   * is one Lua call, so a few more of them in a burst cost little.
   */
  private static final Duration COALESCE = Duration.ofMillis(3);

  /**
   * Warm hits ({@link #wakeLazily}) wake a run at most this often; a hit in between is left pending
   * for the next run (at most {@code MAX_WAIT} later). At 500 warm hits/s (bench acquire) one run
   * per hit made pool-service, which decides none of them, use 0.17-0.20 cores of the two.
   */
  static final Duration LAZY_SPACING = Duration.ofMillis(50);

  private final Store store;
  private final Publisher publisher;
  private final PoolSettings settings;
  private final PoolMetrics metrics;
  private final QueueServer queue;
  private final Set<String> pending = ConcurrentHashMap.newKeySet();

  /**
   * Per template, the trace context of the last caller that asked for a replenish while a trace was
   * active (an acquire, an instance event): the provisions the next reserve creates for that
   * template are published in it, so one acquire on a cold pool is one trace down to the
   * provisioner. Taken by the run that creates them, whichever run that is.
   */
  private final Map<String, Context> askers = new ConcurrentHashMap<>();

  private final Semaphore wake = new Semaphore(0);

  /** {@link #LAZY_SPACING}; tests set it. */
  long lazySpacingNanos = LAZY_SPACING.toNanos();

  private final AtomicLong lastLazyWake = new AtomicLong(System.nanoTime() - lazySpacingNanos);

  private final SpareIds spareIds = new SpareIds();

  private volatile Instant nextFull = Instant.EPOCH;

  /** Whether the first full run (right after start) has republished every requested record. */
  private boolean republishedAtStart;

  public Replenisher(
      Store store,
      Publisher publisher,
      PoolSettings settings,
      PoolMetrics metrics,
      QueueServer queue) {
    this.queue = queue;
    this.store = store;
    this.publisher = publisher;
    this.settings = settings;
    this.metrics = metrics;
  }

  /** Asks for a replenish of {@code template} soon (cheap; many calls coalesce into one run). */
  public void wake(String template) {
    noteAsker(template);
    pending.add(template);
    wake.release();
  }

  /**
   * A warm hit took a ready instance of {@code template} ({@code request.*.assigned}): a replenish
   * soon, but not one run per hit. The template is pending at once; a run is woken only when the
   * last lazy wake-up is {@link #LAZY_SPACING} old, else the next run (woken by anything, or the
   * {@code MAX_WAIT} timer) takes it. Hand-overs to waiting visitors come through here too: they
   * free no room (one fewer coming, one fewer waiting), the {@code started} event before them did.
   */
  public void wakeLazily(String template) {
    noteAsker(template);
    pending.add(template);
    long now = System.nanoTime();
    long last = lastLazyWake.get();
    if (now - last >= lazySpacingNanos && lastLazyWake.compareAndSet(last, now)) {
      wake.release();
    }
  }

  /**
   * Remembers the current trace context (if any) for {@code template}'s next provisions, without
   * waking a run: called before a change that a concurrent run may act on first.
   */
  public void noteAsker(String template) {
    if (Span.current().getSpanContext().isValid()) {
      askers.put(template, Context.current());
    }
  }

  @Override
  public void iterate() throws Exception {
    Duration untilFull = Duration.between(Instant.now(), nextFull);
    Duration wait = untilFull.isNegative() ? Duration.ZERO : min(untilFull, MAX_WAIT);
    if (wake.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)) {
      Thread.sleep(COALESCE.toMillis());
      wake.drainPermits();
    }
    List<String> todo = new ArrayList<>();
    if (!Instant.now().isBefore(nextFull)) {
      nextFull = Instant.now().plus(settings.config().replenishInterval());
      pending.clear();
      todo.addAll(settings.templates().keySet());
      republishStale();
    } else {
      for (String t : List.copyOf(pending)) {
        pending.remove(t);
        todo.add(t);
      }
    }
    for (String t : todo) {
      TemplatesConfig.Template tpl = settings.templates().get(t);
      if (tpl != null) {
        // visitors waiting for a template whose claims are checked are served here (mark_ready
        // pooled the instance): before the reserve, which counts them as demand
        queue.serve(t, tpl);
        replenish(t, tpl);
      }
    }
  }

  /**
   * One reserve call for the template, then one provision message per created record. It reserves
   * up to {@link TemplatesConfig.Template#reserveCap} (the look-ahead, as the provisioner's slot
   * refill does), not only {@code max-in-flight}: at a flash crowd's first acquires the provisioner
   * then claims, places and gives a port to the next containers while the first ones are in the
   * engine, and the engine gets them as soon as a slot frees. Before, the look-ahead began only
   * with the first container healthy, so the engine's second round waited for that bookkeeping.
   */
  public List<String> replenish(String template, TemplatesConfig.Template tpl) {
    int cap = tpl.reserveCap();
    int n = Math.min(100, cap);
    List<String> ids = spareIds.take(n);
    ReserveResult r =
        store
            .sizing()
            .reserveProvision(new ReserveArgs(template, tpl.minReady(), tpl.maxTotal(), cap, ids));
    spareIds.giveBack(ids, r.created());
    if (!r.created().isEmpty()) {
      Context asked = askers.remove(template);
      try (Scope ignored = asked != null ? asked.makeCurrent() : Scope.noop()) {
        for (String id : r.created()) {
          publish(id, template);
        }
      }
    }
    if (!r.created().isEmpty()) {
      metrics.provisionRequested(template, r.created().size());
      LOG.infof("template %s: %d instance(s) requested", template, r.created().size());
    }
    return r.created();
  }

  private void republishStale() {
    Instant cutoff = Instant.now().minus(settings.config().republishAfter());
    if (!republishedAtStart) {
      // A pool-service killed between reserve_provision and the publish left its records requested
      // with no message: the first full run after a (re)start publishes every requested record at
      // once instead of after republish-after (same msg id, so one still queued is not doubled).
      cutoff = Instant.now();
      republishedAtStart = true;
    }
    for (Instance i : store.instances(InstanceState.REQUESTED)) {
      if (i.createdAt() != null && i.createdAt().isBefore(cutoff)) {
        publish(i.id(), i.template());
      }
    }
  }

  private void publish(String id, String template) {
    try {
      publisher.publish(new ProvisionRequest(id, template, null));
    } catch (MessagingException e) {
      // The record stays requested: the next full run publishes it again.
      LOG.warnf("provision request for %s not published yet: %s", id, e.getMessage());
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) < 0 ? a : b;
  }

  /** For tests: wake-ups not yet taken by a run. */
  int permitsView() {
    return wake.availablePermits();
  }

  /** For tests: templates waiting for a signalled run. */
  Map<String, Boolean> pendingView() {
    Map<String, Boolean> m = new ConcurrentHashMap<>();
    pending.forEach(t -> m.put(t, true));
    return m;
  }
}
