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
 * ready after the refill time. Visitors arrive as a Poisson process of rate λ. At an arrival the
 * pool is short by exactly the replacements ordered and not ready yet, so the visitor finds an
 * instance ready iff fewer than S are outstanding; Poisson arrivals see time averages (PASTA), so
 * the share served warm is P(N ≤ S − 1), N the number of replacements under way. With no limit on
 * parallel provisioning N is Poisson(λ·R), R the mean provisioning time (M/G/∞: only the mean
 * matters, whatever the spread). For a hit-rate target h the pool keeps the smallest S with
 * P(Poisson(λ·R') ≤ S − 1) ≥ h. Served in order, visitor n gets the replacement ordered by visitor
 * n − S: it waits at most W iff fewer than S others arrived in the preceding R' − W, so a wait
 * bound W for a share p of visitors needs the smallest S with P(Poisson(λ·max(0, R' − W)) ≤ S − 1)
 * ≥ p. (Nothing arriving needs no pool: S = 0, min-ready applies.) The larger of the two, clamped
 * to [min-ready, min(max-total, max-ready)], is the raw target.
 *
 * <p>Five corrections make it hold on a real pool ({@code bench slo} missed 95 % without them):
 *
 * <ul>
 *   <li><b>The backlog behind the provisioning slots, not its mean.</b> With {@code max-in-flight}
 *       = m the replacements under way are the customers of an M/G/m queue, not of M/G/∞: N is the
 *       number in an M/M/m system offered a = λ·R (below m the Poisson terms a^n/n!, from m on a
 *       geometric tail of ratio ρ = a/m) at a load of at most {@value #MAX_LOAD}, and the hit-rate
 *       target is the smallest S with P(N ≤ S − 1) ≥ h ({@link #queueStock}). Poisson(λ·R') with
 *       the mean slot wait (the fourth rule below, still used for the wait bound and shown to
 *       operators) sized for the backlog's mean; on the bench's days the rate varies faster than a
 *       steady queue forgets, the backlog's tail is what empties the pool, and that pool missed 95
 *       % on the days near the slots' capacity and on every day with the flash crowd ({@code
 *       PoolSizerTest.aSimulatedBenchDayMeetsTheHitRateWithLessIdleThanTheSmallestFixedPool}). Past
 *       a load of {@value #MAX_LOAD} the target stays at that load's value: a stock built while the
 *       slots have room, drained while they have none (the budget caps it).
 *   <li><b>The wait for a provisioning slot.</b> At most {@code max-in-flight} provisions run at
 *       once, so a replacement first waits for a slot: R' = R + W_q, W_q the mean wait of an M/G/m
 *       queue (m = max-in-flight, Erlang C with the Allen–Cunneen factor (1 + c²)/2 for the
 *       provisioning times' spread c, at least the M/M/m wait), at the sustained (slow) rate and a
 *       load of at most {@value #MAX_LOAD}: a burst's backlog clears, and past that load no pool
 *       size holds anyway (the budget caps it).
 *   <li><b>The refill time from recent samples.</b> R is the mean of the newest {@value #SAMPLES}
 *       provisioning times, each capped at {@value #CAP_OVER_MEDIAN}× their median, plus {@value
 *       #MEAN_Z} standard errors of that mean: the first fill of cold services (12.7 s against ~3 s
 *       later) no longer sizes the pool for minutes, and only the newest samples count ({@code
 *       slo.refill-percentile} keeps the earlier percentile of all 64).
 *   <li><b>The rising edge.</b> λ is the slow EWMA ({@code window}) unless the fast one ({@code
 *       burst-window}) lies {@value #BURST_Z} of its standard deviations above it (σ = √(λ / 2τ)
 *       for an EWMA of Poisson arrivals, λ at least one arrival per burst window): then a real rise
 *       is under way, and λ is the fast estimate plus its own lag and the refill time ahead along
 *       the trend the two EWMAs give (a ramp of slope g leaves an EWMA g·τ behind, so g = (fast −
 *       slow) / (τ_slow − τ_fast)), at most twice the fast one. Earlier the fast estimate counted
 *       only less 2σ, which on a morning ramp left it below the true rate for most of the ramp.
 *   <li><b>Gentle scale-down.</b> The target rises at once (a visitor waiting costs more than an
 *       idle container) and falls by one per {@code scale-down-step}, and only when even a rate
 *       {@value #HYSTERESIS_PERCENT}% higher would ask for less: noise in the estimate does not
 *       make the pool oscillate.
 * </ul>
 *
 * {@code PoolSizerTest} checks the formulas against a simulated pool (with and without the slot
 * limit) and a simulated day (ramp, flash crowd, evening) against the smallest fixed pool.
 */
public final class PoolSizer {

  /** Lowering needs the target of a rate this much higher to be lower, too. */
  static final int HYSTERESIS_PERCENT = 15;

  /** Standard deviations of its noise the burst estimate must rise by before it counts. */
  static final double BURST_Z = 2;

  /** Provisioning samples needed before they replace the configured estimate. */
  static final int MIN_SAMPLES = 3;

  /** The newest provisioning samples the refill time is the mean of. */
  static final int SAMPLES = 32;

  /** The refill time is the mean plus this many standard errors of it (one-sided 95 %). */
  static final double MEAN_Z = 1.645;

  /** A sample counts at most this many times the median of the newest samples. */
  static final int CAP_OVER_MEDIAN = 2;

  /** The slot wait is computed at most at this load of the provisioning slots. */
  static final double MAX_LOAD = 0.8;

  /** Least share of the window the estimate is divided by while young (1 − 1/e). */
  private static final double MIN_WEIGHT = 1 - Math.exp(-1);

  private PoolSizer() {}

  /**
   * What the pool should keep ready.
   *
   * @param target the ready target to store
   * @param raw the model's value for the current estimate, before smoothing
   * @param ratePerSecond the arrival rate used
   * @param refillMs the refill time used: the provisioning time plus the mean wait for a slot
   * @param slotWaitMs of that, the mean wait for a provisioning slot
   * @param moved whether {@code target} differs from the stored one
   */
  public record Decision(
      int target, int raw, double ratePerSecond, long refillMs, long slotWaitMs, boolean moved) {}

  /** The decision for a template from its stored estimate at {@code nowMs}. */
  public static Decision decide(
      Slo slo, int minReady, int maxTotal, int maxInFlight, PoolDemand d, long nowMs) {
    long provisionMs = refillMs(d.provisionTimesMs(), slo);
    double slow = rate(d.ratePerSecond(), d, slo.window());
    long waitMs = slotWaitMs(slow, provisionMs, maxInFlight, spread(d.provisionTimesMs()));
    long refillMs = provisionMs + waitMs;
    double rate = rate(d, slo, refillMs);
    int cap = Math.max(minReady, Math.min(maxTotal, slo.maxReady().orElse(maxTotal)));
    int raw = target(slo, rate, provisionMs, waitMs, maxInFlight, minReady, cap);
    int current = d.target() > 0 ? Math.max(minReady, Math.min(cap, d.target())) : minReady;
    if (raw >= current) {
      return new Decision(raw, raw, rate, refillMs, waitMs, raw != d.target());
    }
    double higher = rate * (100 + HYSTERESIS_PERCENT) / 100.0;
    int high = target(slo, higher, provisionMs, waitMs, maxInFlight, minReady, cap);
    boolean stepDue = nowMs - d.movedAtMs() >= slo.scaleDownStep().toMillis();
    if (high < current && stepDue) {
      return new Decision(current - 1, raw, rate, refillMs, waitMs, true);
    }
    return new Decision(current, raw, rate, refillMs, waitMs, current != d.target());
  }

  /**
   * The model's target with {@code slots} provisions at once (≤ 0: no limit): the hit-rate part
   * from the M/M/m backlog ({@link #queueStock}, provisioning time {@code provisionMs}), the wait
   * part from the refill time with the mean slot wait, clamped to [minReady, cap].
   */
  static int target(
      Slo slo,
      double ratePerSecond,
      long provisionMs,
      long slotWaitMs,
      int slots,
      int minReady,
      int cap) {
    if (slots <= 0) {
      return target(slo, ratePerSecond, provisionMs + slotWaitMs, minReady, cap);
    }
    int k = 0;
    if (slo.hitRate().isPresent()) {
      double offered = ratePerSecond * provisionMs / 1000.0;
      k = queueStock(offered, slots, slo.hitRate().getAsDouble(), cap);
    }
    k = Math.max(k, waitStock(slo, ratePerSecond, provisionMs + slotWaitMs, cap));
    return Math.max(minReady, Math.min(cap, k));
  }

  /**
   * The smallest S with P(N ≤ S − 1) ≥ p (at most {@code cap}), N the number in an M/M/m system
   * offered {@code offered} = λ·R Erlangs at a load of at most {@value #MAX_LOAD}: P(N = n) ∝
   * a^n/n! below m, a^m/m!·ρ^(n−m) from m on; 0 when nothing arrives.
   */
  static int queueStock(double offered, int m, double p, int cap) {
    if (offered <= 0) {
      return 0;
    }
    double a = Math.min(offered, MAX_LOAD * m);
    double rho = a / m;
    double[] below = new double[m];
    double term = 1;
    double sum = 0;
    for (int n = 0; n < m; n++) {
      below[n] = term;
      sum += term;
      term *= a / (n + 1);
    }
    double total = sum + term / (1 - rho); // term = a^m / m!
    double cdf = 0;
    double tail = term;
    for (int n = 0; n < cap; n++) {
      if (n < m) {
        cdf += below[n] / total;
      } else {
        cdf += tail / total;
        tail *= rho;
      }
      if (cdf >= p) {
        return n + 1;
      }
    }
    return cap;
  }

  /** The model's target for a rate and refill time without a slot limit, clamped. */
  static int target(Slo slo, double ratePerSecond, long refillMs, int minReady, int cap) {
    int k = 0;
    if (slo.hitRate().isPresent()) {
      k = stock(ratePerSecond * (refillMs / 1000.0), slo.hitRate().getAsDouble(), cap);
    }
    k = Math.max(k, waitStock(slo, ratePerSecond, refillMs, cap));
    return Math.max(minReady, Math.min(cap, k));
  }

  /**
   * The wait bound's part (0 without one): the stock that covers the arrivals of the part of the
   * refill time {@code refillMs} beyond {@code max-wait}, at the wait percentile.
   */
  private static int waitStock(Slo slo, double ratePerSecond, long refillMs, int cap) {
    if (slo.maxWait().isEmpty()) {
      return 0;
    }
    double uncovered = Math.max(0, refillMs / 1000.0 - slo.maxWait().get().toMillis() / 1000.0);
    return stock(ratePerSecond * uncovered, slo.waitPercentile(), cap);
  }

  /**
   * The smallest base stock S with P(Poisson(mean) ≤ S − 1) ≥ p (at most {@code cap}): the pool
   * that serves a share p of arrivals when {@code mean} arrive per refill time; 0 when none do.
   */
  static int stock(double mean, double p, int cap) {
    return mean <= 0 ? 0 : Math.min(cap, 1 + poissonQuantile(mean, p, cap));
  }

  /** The arrival rate the pool is sized for (the rising-edge rule in the class Javadoc). */
  public static double rate(PoolDemand d, Slo slo) {
    return rate(d, slo, refillMs(d.provisionTimesMs(), slo));
  }

  static double rate(PoolDemand d, Slo slo, long refillMs) {
    double slow = rate(d.ratePerSecond(), d, slo.window());
    Duration burstWindow = slo.effectiveBurstWindow();
    double fast = rate(d.burstRatePerSecond(), d, burstWindow);
    double tauFast = Math.max(0.001, burstWindow.toMillis() / 1000.0);
    double tauSlow = slo.window().toMillis() / 1000.0;
    double sigma = Math.sqrt(Math.max(slow, 1 / tauFast) / (2 * tauFast));
    if (fast - BURST_Z * sigma <= slow) {
      return slow;
    }
    double slope = tauSlow > tauFast ? (fast - slow) / (tauSlow - tauFast) : 0;
    return Math.min(2 * fast, fast + slope * (tauFast + refillMs / 1000.0));
  }

  static double rate(double ewma, PoolDemand d, Duration window) {
    double observed = Math.max(0, d.atMs() - d.sinceMs());
    double weight = 1 - Math.exp(-observed / Math.max(1, window.toMillis()));
    return Math.max(0, ewma) / Math.max(MIN_WEIGHT, weight);
  }

  /**
   * The provisioning time R: the configured percentile of recent samples, or (unset) the mean of
   * the newest {@value #SAMPLES}, each capped at {@value #CAP_OVER_MEDIAN}× their median, plus
   * {@value #MEAN_Z} standard errors (a few samples of a spread-out provisioning time must not size
   * the pool low); the estimate until {@value #MIN_SAMPLES} are measured.
   */
  static long refillMs(List<Long> samples, Slo slo) {
    if (samples.size() < MIN_SAMPLES) {
      return slo.provisionEstimate().toMillis();
    }
    if (slo.refillPercentile().isPresent()) {
      return percentile(samples, slo.refillPercentile().getAsDouble());
    }
    List<Long> recent = capped(samples);
    double mean = recent.stream().mapToLong(Long::longValue).average().orElse(0);
    double var = 0;
    for (long x : recent) {
      var += (x - mean) * (x - mean);
    }
    double sd = Math.sqrt(var / Math.max(1, recent.size() - 1));
    return Math.round(mean + MEAN_Z * sd / Math.sqrt(recent.size()));
  }

  /** The newest {@value #SAMPLES} samples (newest first), each capped at twice their median. */
  static List<Long> capped(List<Long> samples) {
    List<Long> recent = samples.subList(0, Math.min(SAMPLES, samples.size()));
    long cap = CAP_OVER_MEDIAN * percentile(recent, 0.5);
    return recent.stream().map(s -> Math.min(s, cap)).toList();
  }

  /** Squared coefficient of variation of the (capped) recent samples; 1 until there are enough. */
  static double spread(List<Long> samples) {
    if (samples.size() < MIN_SAMPLES) {
      return 1;
    }
    List<Long> recent = capped(samples);
    double mean = recent.stream().mapToLong(Long::longValue).average().orElse(0);
    if (mean <= 0) {
      return 1;
    }
    double var = 0;
    for (long s : recent) {
      var += (s - mean) * (s - mean);
    }
    return var / recent.size() / (mean * mean);
  }

  /**
   * The mean wait for one of {@code slots} provisioning slots, in ms: M/G/m by Erlang C times the
   * Allen–Cunneen factor (1 + c²)/2 but never below the M/M/m wait (the pool needs the backlog's
   * tail, not only its mean: with the factor for steady provisioning times a simulated pool of 4
   * slots missed 95 %), at a load of at most {@value #MAX_LOAD}; 0 without a limit.
   */
  static long slotWaitMs(double ratePerSecond, long provisionMs, int slots, double c2) {
    if (slots <= 0 || ratePerSecond <= 0 || provisionMs <= 0) {
      return 0;
    }
    double r = provisionMs / 1000.0;
    double a = Math.min(ratePerSecond * r, MAX_LOAD * slots);
    double rho = a / slots;
    double erlangC = erlangC(slots, a);
    // at least the M/M/m wait: a Poisson count with the mean R' understates the backlog's spread
    double wq = erlangC * r / (slots * (1 - rho)) * (1 + Math.max(1, Math.min(2, c2))) / 2;
    return Math.round(wq * 1000);
  }

  /** Erlang C: the probability that an arrival waits in an M/M/m queue offered {@code a} < m. */
  static double erlangC(int m, double a) {
    // the Erlang B recursion B(k) = a B(k-1) / (k + a B(k-1)), then C from B; stable for large m
    double b = 1;
    for (int k = 1; k <= m; k++) {
      b = a * b / (k + a * b);
    }
    double rho = a / m;
    return b / (1 - rho + rho * b);
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
