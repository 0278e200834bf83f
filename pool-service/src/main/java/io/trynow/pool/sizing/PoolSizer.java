package io.trynow.pool.sizing;

import io.trynow.platform.state.PoolDemand;
import io.trynow.platform.template.TemplatesConfig.Slo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The queueing model behind a template's ready target, pure and deterministic: every pool replica
 * computes the same target from the same stored estimate.
 *
 * <p>The pool is a base-stock system. {@code reserve_provision} keeps ready + coming − waiting at
 * the target S, so every arrival (served warm or queued) orders one replacement at once, which is
 * ready after the refill time R. Visitors arrive as a Poisson process of rate λ (the EWMA kept in
 * Valkey). At an arrival the pool is short by exactly the arrivals of the last R whose replacements
 * are not ready yet, so the visitor finds an instance ready iff fewer than S others arrived in the
 * preceding R; Poisson arrivals see time averages (PASTA), so the share served warm is
 * P(Poisson(λ·R) ≤ S − 1). For a hit-rate target h the pool keeps the smallest S with
 * P(Poisson(λ·R) ≤ S − 1) ≥ h. Served in order, visitor n gets the replacement ordered by visitor n
 * − S, ready at t(n − S) + R: it waits at most W iff fewer than S others arrived in the preceding R
 * − W, so a wait bound W for a share p of visitors needs the smallest S with P(Poisson(λ·max(0, R −
 * W)) ≤ S − 1) ≥ p. (Nothing arriving needs no pool: S = 0, min-ready applies.) The larger of the
 * two, clamped to [min-ready, min(max-total, max-ready)], is the raw target. R is a high percentile
 * of the measured provisioning times, so a variable refill time is covered conservatively; {@code
 * PoolSizerTest} checks both formulas against a simulation of the pool.
 *
 * <p>The target rises at once (a visitor waiting costs more than an idle container) and falls by
 * one per {@code scale-down-step}, and only when even a rate {@value #HYSTERESIS_PERCENT}% higher
 * would ask for less: noise in the estimate does not make the pool oscillate.
 */
public final class PoolSizer {

  /** Lowering needs the target of a rate this much higher to be lower, too. */
  static final int HYSTERESIS_PERCENT = 15;

  /** Standard deviations of its noise the burst estimate must rise by before it counts. */
  static final double BURST_Z = 2;

  /** Provisioning samples needed before they replace the configured estimate. */
  static final int MIN_SAMPLES = 3;

  /** Least share of the window the estimate is divided by while young (1 − 1/e). */
  private static final double MIN_WEIGHT = 1 - Math.exp(-1);

  private PoolSizer() {}

  /**
   * What the pool should keep ready.
   *
   * @param target the ready target to store
   * @param raw the model's value for the current estimate, before smoothing
   * @param ratePerSecond the arrival rate used
   * @param refillMs the refill time used
   * @param moved whether {@code target} differs from the stored one
   */
  public record Decision(int target, int raw, double ratePerSecond, long refillMs, boolean moved) {}

  /** The decision for a template from its stored estimate at {@code nowMs}. */
  public static Decision decide(Slo slo, int minReady, int maxTotal, PoolDemand d, long nowMs) {
    double rate = rate(d, slo);
    long refillMs = refillMs(d.provisionTimesMs(), slo);
    int cap = Math.max(minReady, Math.min(maxTotal, slo.maxReady().orElse(maxTotal)));
    int raw = target(slo, rate, refillMs, minReady, cap);
    int current = d.target() > 0 ? Math.max(minReady, Math.min(cap, d.target())) : minReady;
    if (raw >= current) {
      return new Decision(raw, raw, rate, refillMs, raw != d.target());
    }
    int high = target(slo, rate * (100 + HYSTERESIS_PERCENT) / 100.0, refillMs, minReady, cap);
    boolean stepDue = nowMs - d.movedAtMs() >= slo.scaleDownStep().toMillis();
    if (high < current && stepDue) {
      return new Decision(current - 1, raw, rate, refillMs, true);
    }
    return new Decision(current, raw, rate, refillMs, current != d.target());
  }

  /** The model's target for a rate and refill time, clamped to [minReady, cap]. */
  static int target(Slo slo, double ratePerSecond, long refillMs, int minReady, int cap) {
    int k = 0;
    double r = refillMs / 1000.0;
    if (slo.hitRate().isPresent()) {
      k = Math.max(k, stock(ratePerSecond * r, slo.hitRate().getAsDouble(), cap));
    }
    if (slo.maxWait().isPresent()) {
      double uncovered = Math.max(0, r - slo.maxWait().get().toMillis() / 1000.0);
      k = Math.max(k, stock(ratePerSecond * uncovered, slo.waitPercentile(), cap));
    }
    return Math.max(minReady, Math.min(cap, k));
  }

  /**
   * The smallest base stock S with P(Poisson(mean) ≤ S − 1) ≥ p (at most {@code cap}): the pool
   * that serves a share p of arrivals when {@code mean} arrive per refill time; 0 when none do.
   */
  static int stock(double mean, double p, int cap) {
    return mean <= 0 ? 0 : Math.min(cap, 1 + poissonQuantile(mean, p, cap));
  }

  /**
   * Arrivals per second the pool is sized for: the slow EWMA ({@code window}), or the fast one
   * ({@code burst-window}, which a rising rate reaches sooner: the slow one alone lagged a day's
   * morning ramp and left the pool short) less {@value #BURST_Z} of its standard deviations under a
   * steady rate, σ = √(λ / 2τ) for an EWMA of Poisson arrivals, when that is larger: a real rise
   * counts at once, the fast estimate's noise does not raise the pool. Each is divided by the share
   * of its window observed so far (at least 1 − 1/e) so that a young estimate is not biased low.
   */
  public static double rate(PoolDemand d, Slo slo) {
    double slow = rate(d.ratePerSecond(), d, slo.window());
    Duration burstWindow = slo.effectiveBurstWindow();
    double fast = rate(d.burstRatePerSecond(), d, burstWindow);
    double sigma = Math.sqrt(slow / (2 * Math.max(0.001, burstWindow.toMillis() / 1000.0)));
    return Math.max(slow, fast - BURST_Z * sigma);
  }

  static double rate(double ewma, PoolDemand d, Duration window) {
    double observed = Math.max(0, d.atMs() - d.sinceMs());
    double weight = 1 - Math.exp(-observed / Math.max(1, window.toMillis()));
    return Math.max(0, ewma) / Math.max(MIN_WEIGHT, weight);
  }

  /** The refill time: the configured percentile of recent samples, or the estimate until then. */
  static long refillMs(List<Long> samples, Slo slo) {
    if (samples.size() < MIN_SAMPLES) {
      return slo.provisionEstimate().toMillis();
    }
    return percentile(samples, slo.refillPercentile());
  }

  /** Nearest-rank percentile, 0 < q ≤ 1. */
  static long percentile(List<Long> samples, double q) {
    List<Long> sorted = new ArrayList<>(samples);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(q * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  /**
   * Smallest k ≥ 0 with P(Poisson(mean) ≤ k) ≥ p, or {@code cap} if none below it. The terms are
   * built in log space, so a large mean does not underflow.
   */
  static int poissonQuantile(double mean, double p, int cap) {
    if (mean <= 0) {
      return 0;
    }
    double logMean = Math.log(mean);
    double logPmf = -mean;
    double cdf = 0;
    for (int k = 0; k < cap; k++) {
      if (k > 0) {
        logPmf += logMean - Math.log(k);
      }
      cdf += Math.exp(logPmf);
      if (cdf >= p) {
        return k;
      }
    }
    return cap;
  }
}
