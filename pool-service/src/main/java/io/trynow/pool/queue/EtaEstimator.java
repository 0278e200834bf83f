package io.trynow.pool.queue;

import io.trynow.platform.template.TemplatesConfig;
import io.trynow.pool.config.PoolSettings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ETA of a queued visitor: its position divided by the template's provisioning throughput,
 * measured from the instances that finished starting within the last window ({@code
 * instance.*.started} events). Until three have been seen, the throughput is assumed from the
 * template's max-in-flight and the configured provisioning estimate.
 */
@Singleton
public class EtaEstimator {

  private static final int MIN_SAMPLES = 3;

  private final Duration window;
  private final Duration estimate;
  private final Map<String, TemplatesConfig.Template> templates;
  private final Map<String, Deque<Long>> completions = new ConcurrentHashMap<>();

  @Inject
  public EtaEstimator(PoolSettings settings) {
    this(
        settings.config().rateWindow(),
        settings.config().provisionEstimate(),
        settings.templates());
  }

  EtaEstimator(
      Duration window, Duration estimate, Map<String, TemplatesConfig.Template> templates) {
    this.window = window;
    this.estimate = estimate;
    this.templates = templates;
  }

  /** One instance of {@code template} finished provisioning at {@code atMs}. */
  public void provisioned(String template, long atMs) {
    Deque<Long> q = completions.computeIfAbsent(template, t -> new ArrayDeque<>());
    synchronized (q) {
      q.addLast(atMs);
      trim(q, atMs);
    }
  }

  /** Instances per second, measured or assumed. */
  public double throughput(String template, long nowMs) {
    Deque<Long> q = completions.get(template);
    if (q != null) {
      synchronized (q) {
        trim(q, nowMs);
        if (q.size() >= MIN_SAMPLES) {
          long span = Math.max(nowMs - q.peekFirst(), 1000);
          return q.size() * 1000.0 / Math.min(span, window.toMillis());
        }
      }
    }
    TemplatesConfig.Template t = templates.get(template);
    int inFlight = t == null ? 1 : Math.max(1, t.maxInFlight());
    return inFlight * 1000.0 / Math.max(1, estimate.toMillis());
  }

  /** Seconds until the visitor at 1-based {@code position} is likely served (at least 1). */
  public long etaSeconds(String template, long position, long nowMs) {
    double rate = throughput(template, nowMs);
    return Math.max(1, (long) Math.ceil(Math.max(1, position) / rate));
  }

  private void trim(Deque<Long> q, long nowMs) {
    long cutoff = nowMs - window.toMillis();
    while (!q.isEmpty() && q.peekFirst() < cutoff) {
      q.removeFirst();
    }
    while (q.size() > 10_000) {
      q.removeFirst();
    }
  }
}
