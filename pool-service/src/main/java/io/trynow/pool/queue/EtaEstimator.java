package io.trynow.pool.queue;

import io.trynow.platform.state.ProvisionRate;
import io.trynow.platform.state.Store;
import io.trynow.platform.template.TemplatesConfig;
import io.trynow.pool.config.PoolSettings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;

/**
 * The ETA of a queued visitor: its position divided by the template's provisioning throughput,
 * measured from the instances that reached {@code started} within the last window. The samples live
 * in Valkey ({@code mark_started} records them, {@link
 * io.trynow.platform.state.PoolSizing#provisionRate} counts them), so every replica sees the same
 * rate and a restart forgets nothing. Until three have been seen, the throughput is assumed from
 * the template's max-in-flight and the configured provisioning estimate.
 */
@Singleton
public class EtaEstimator {

  private static final int MIN_SAMPLES = 3;

  private final Store store;
  private final Duration window;
  private final Duration estimate;
  private final Map<String, TemplatesConfig.Template> templates;

  @Inject
  public EtaEstimator(Store store, PoolSettings settings) {
    this(
        store,
        settings.config().rateWindow(),
        settings.config().provisionEstimate(),
        settings.templates());
  }

  EtaEstimator(
      Store store,
      Duration window,
      Duration estimate,
      Map<String, TemplatesConfig.Template> templates) {
    this.store = store;
    this.window = window;
    this.estimate = estimate;
    this.templates = templates;
  }

  /** Seconds until the visitor at 1-based {@code position} is likely served (at least 1). */
  public long etaSeconds(String template, long position, long nowMs) {
    return etaSeconds(position, throughput(template, nowMs));
  }

  /**
   * The template's throughput now, in instances per second (one store read): for a caller that
   * tells many positions at once ({@link PositionNotifier}) and needs the rate once, not per
   * visitor.
   */
  public double throughput(String template, long nowMs) {
    return throughput(template, store.sizing().provisionRate(template, window), nowMs);
  }

  /** Instances per second: measured from {@code rate} when it has enough samples, else assumed. */
  double throughput(String template, ProvisionRate rate, long nowMs) {
    if (rate.count() >= MIN_SAMPLES) {
      long span = Math.max(nowMs - rate.oldestMs(), 1000);
      return rate.count() * 1000.0 / Math.min(span, window.toMillis());
    }
    TemplatesConfig.Template t = templates.get(template);
    int inFlight = t == null ? 1 : Math.max(1, t.maxInFlight());
    return inFlight * 1000.0 / Math.max(1, estimate.toMillis());
  }

  /** Seconds until the visitor at 1-based {@code position} is served at {@code rate} per second. */
  public static long etaSeconds(long position, double rate) {
    return Math.max(1, (long) Math.ceil(Math.max(1, position) / rate));
  }
}
