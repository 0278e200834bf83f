package io.trynow.pool.sizing;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.platform.state.PoolDemand;
import io.trynow.platform.template.TemplatesConfig.Slo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The sizing model: given rates and refill times, the target; stable under noise. */
class PoolSizerTest {

  static final long NOW = 1_000_000_000L;
  static final Duration WINDOW = Duration.ofMinutes(5);

  @Test
  void poissonQuantileMatchesTheTable() {
    // Poisson(2): P(<=4) = 0.947, P(<=5) = 0.983
    assertThat(PoolSizer.poissonQuantile(2, 0.95, 1000)).isEqualTo(5);
    // Poisson(5): P(<=8) = 0.932, P(<=9) = 0.968
    assertThat(PoolSizer.poissonQuantile(5, 0.95, 1000)).isEqualTo(9);
    // Poisson(10): P(<=14) = 0.917, P(<=15) = 0.951
    assertThat(PoolSizer.poissonQuantile(10, 0.95, 1000)).isEqualTo(15);
    // Poisson(1): P(<=0) = 0.368, P(<=1) = 0.736
    assertThat(PoolSizer.poissonQuantile(1, 0.5, 1000)).isEqualTo(1);
    assertThat(PoolSizer.poissonQuantile(0, 0.99, 1000)).isZero();
    // a large mean does not underflow: the median of Poisson(2000) is 2000
    assertThat(PoolSizer.poissonQuantile(2000, 0.5, 100_000)).isEqualTo(2000);
    assertThat(PoolSizer.poissonQuantile(2000, 0.5, 50)).isEqualTo(50);
  }

  @Test
  void hitRateTargetFromRateAndRefillTime() {
    Slo slo = slo(0.95, null, null);
    // 1 arrival/s, refill 5 s: P(Poisson(5) <= 9) = 0.968 >= 0.95 > P(<= 8) = 0.932 -> S = 10
    assertThat(decide(slo, 0, 20, demand(1.0, samples(5000), 0, 0)).target()).isEqualTo(10);
    // 10x the rate: P(Poisson(50) <= 62) >= 0.95 > P(<= 61) -> 63, capped by max-total
    assertThat(decide(slo, 0, 100, demand(10.0, samples(5000), 0, 0)).target()).isEqualTo(63);
    assertThat(decide(slo, 0, 20, demand(10.0, samples(5000), 0, 0)).target()).isEqualTo(20);
    // the cost cap, and min-ready as the floor
    assertThat(decide(slo(0.95, null, 4), 0, 20, demand(1.0, samples(5000), 0, 0)).target())
        .isEqualTo(4);
    assertThat(decide(slo, 12, 20, demand(1.0, samples(5000), 0, 0)).target()).isEqualTo(12);
    // nothing arrives: min-ready
    assertThat(decide(slo, 2, 20, demand(0, samples(5000), 0, 0)).target()).isEqualTo(2);
  }

  @Test
  void refillTimeIsAPercentileOfSamplesOrTheEstimateUntilThree() {
    Slo slo = slo(0.95, null, null);
    assertThat(PoolSizer.refillMs(List.of(4000L, 6000L), slo)).isEqualTo(10_000);
    List<Long> s = new ArrayList<>();
    for (long i = 1; i <= 100; i++) {
      s.add(i * 100);
    }
    assertThat(PoolSizer.refillMs(s, slo)).isEqualTo(9500);
    // slower provisioning asks for more warm instances at the same rate
    int fast = decide(slo, 0, 100, demand(1.0, samples(2000), 0, 0)).target();
    int slow = decide(slo, 0, 100, demand(1.0, samples(20_000), 0, 0)).target();
    assertThat(fast).isEqualTo(6); // P(Poisson(2) <= 5) >= 0.95
    assertThat(slow).isEqualTo(29); // P(Poisson(20) <= 28) >= 0.95
  }

  @Test
  void waitBoundCoversOnlyTheDemandItCannotWaitFor() {
    // refill 5 s, visitors may wait 4 s: the pool covers 1 s of demand,
    // P(Poisson(1) <= 3) = 0.981 >= 0.95 > P(<= 2) = 0.920 -> S = 4
    Slo slo = slo(null, Duration.ofSeconds(4), null);
    assertThat(decide(slo, 0, 20, demand(1.0, samples(5000), 0, 0)).target()).isEqualTo(4);
    // a wait bound longer than the refill time needs no warm pool beyond min-ready
    Slo patient = slo(null, Duration.ofSeconds(10), null);
    assertThat(decide(patient, 1, 20, demand(1.0, samples(5000), 0, 0)).target()).isEqualTo(1);
    // both: the larger
    Slo both = slo(0.95, Duration.ofSeconds(4), null);
    assertThat(decide(both, 0, 20, demand(1.0, samples(5000), 0, 0)).target()).isEqualTo(10);
  }

  @Test
  void aYoungEstimateIsScaledUpByAtMostOneOverOneMinusOneOverE() {
    // observed for 0 s of a 5 min window: the rate is divided by 1 - 1/e, not by ~0
    Slo slo = slo(0.95, null, null);
    PoolDemand young = new PoolDemand("t", 1.0, 0, NOW, NOW, 0, 0, 0, 0, 0, 1, List.of(), 1.0);
    assertThat(PoolSizer.rate(young, slo)).isCloseTo(1 / (1 - Math.exp(-1)), within());
    PoolDemand old =
        new PoolDemand("t", 1.0, 0, NOW - 3_600_000, NOW, 0, 0, 0, 0, 0, 1, List.of(), 1.0);
    assertThat(PoolSizer.rate(old, slo)).isCloseTo(1.0, within());
  }

  @Test
  void aRisingRateIsSeenThroughTheBurstWindow() {
    Slo slo = slo(0.95, null, null);
    // the 5 min EWMA still says 0.2/s, the 30 s one has reached 1.2/s: sized for 1.2/s less two
    // standard deviations of a 30 s EWMA at 0.2/s (sqrt(0.2 / 60) = 0.058): 1.085/s
    PoolDemand rising =
        new PoolDemand("t", 0.2, 0, NOW - 3_600_000, NOW, 0, 0, 0, 0, 0, 1, samples(5000), 1.2);
    double expected = 1.2 - 2 * Math.sqrt(0.2 / 60);
    assertThat(PoolSizer.rate(rising, slo)).isCloseTo(expected, within());
    // P(Poisson(5.42) <= 9) = 0.95 -> S = 10 (the slow rate alone: P(Poisson(1) <= 2): S = 3)
    assertThat(decide(slo, 0, 20, rising).target()).isEqualTo(10);
    // within the noise of the fast estimate: the slow one rules
    PoolDemand noisy =
        new PoolDemand("t", 1.0, 0, NOW - 3_600_000, NOW, 0, 0, 0, 0, 0, 1, samples(5000), 1.2);
    assertThat(PoolSizer.rate(noisy, slo)).isCloseTo(1.0, within());
    // a lull: the burst EWMA falls first, the slow one holds the rate
    PoolDemand lull =
        new PoolDemand("t", 1.0, 0, NOW - 3_600_000, NOW, 0, 0, 0, 0, 0, 1, samples(5000), 0.1);
    assertThat(PoolSizer.rate(lull, slo)).isCloseTo(1.0, within());
  }

  @Test
  void theTargetRisesAtOnceAndFallsOneStepAtATime() {
    Slo slo = slo(0.95, null, null);
    long step = slo.scaleDownStep().toMillis();
    // stored 9, demand gone: one down per step, none before
    PoolSizer.Decision early = decide(slo, 1, 20, demand(0, samples(5000), 9, NOW - step + 1));
    assertThat(early.target()).isEqualTo(9);
    assertThat(early.moved()).isFalse();
    assertThat(early.raw()).isEqualTo(1);
    PoolSizer.Decision due = decide(slo, 1, 20, demand(0, samples(5000), 9, NOW - step));
    assertThat(due.target()).isEqualTo(8);
    assertThat(due.moved()).isTrue();
    // stored 2, a burst: straight to the model's value
    PoolSizer.Decision up = decide(slo, 1, 20, demand(2.0, samples(5000), 2, NOW));
    assertThat(up.target()).isEqualTo(16); // P(Poisson(10) <= 15) = 0.951
    assertThat(up.moved()).isTrue();
  }

  @Test
  void anyTrafficAtAllKeepsOneReady() {
    // 0.01 arrivals/s over 5 s: P(Poisson(0.05) <= 0) = 0.95 -- yet with 0 ready every visitor
    // waits. The base stock counts the instance the visitor takes: S = 1.
    assertThat(PoolSizer.stock(0.05, 0.95, 100)).isEqualTo(1);
    assertThat(PoolSizer.stock(0, 0.95, 100)).isZero();
    assertThat(PoolSizer.stock(50, 0.95, 20)).isEqualTo(20);
  }

  /**
   * The model against the pool it describes: Poisson arrivals, each ordering one replacement ready
   * after R (what reserve_provision does), queued visitors served in order as replacements become
   * ready. The computed S meets the stated share, and S − 1 does not (the target is the smallest).
   */
  @Test
  void theHitRateTargetIsTheSmallestPoolThatMeetsItInASimulatedPool() {
    // {rate/s, refill s, hit rate}: Poisson(5): P(<=9) = .968, P(<=8) = .932; Poisson(4):
    // P(<=7) = .949, P(<=6) = .889; Poisson(0.6): P(<=2) = .977, P(<=1) = .878
    double[][] cases = {{1.0, 5.0, 0.95}, {2.0, 2.0, 0.9}, {0.2, 3.0, 0.95}};
    for (double[] c : cases) {
      Slo slo = slo(c[2], null, null);
      int s = PoolSizer.target(slo, c[0], (long) (c[1] * 1000), 0, 1000);
      Sim at = Sim.run(c[0], () -> c[1], s, 200_000, 11);
      Sim below = Sim.run(c[0], () -> c[1], s - 1, 200_000, 11);
      assertThat(at.warmShare()).as("S=%d for %s", s, List.of(c[0], c[1])).isGreaterThan(c[2]);
      assertThat(below.warmShare()).as("S-1 for %s", List.of(c[0], c[1])).isLessThan(c[2]);
    }
  }

  @Test
  void theWaitTargetIsTheSmallestPoolThatMeetsItInASimulatedPool() {
    // 1/s, refill 5 s, 95 % wait <= 4 s: Poisson(1): P(<=3) = .981, P(<=2) = .920 -> S = 4
    Slo slo = slo(null, Duration.ofSeconds(4), null);
    int s = PoolSizer.target(slo, 1.0, 5000, 0, 1000);
    assertThat(s).isEqualTo(4);
    assertThat(Sim.run(1.0, () -> 5.0, s, 200_000, 12).waitShare(4.0)).isGreaterThan(0.95);
    assertThat(Sim.run(1.0, () -> 5.0, s - 1, 200_000, 12).waitShare(4.0)).isLessThan(0.95);
  }

  @Test
  void aVariableRefillTimeIsCoveredByItsPercentile() {
    // refill times uniform in [1 s, 9 s]; the target from their p95 (8.6 s) still serves 95 % warm
    Random rnd = new Random(5);
    List<Long> ptimes = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      ptimes.add(1000 + (long) (8000 * rnd.nextDouble()));
    }
    Slo slo = slo(0.95, null, null);
    int s = PoolSizer.target(slo, 1.0, PoolSizer.refillMs(ptimes, slo), 0, 1000);
    Random lead = new Random(6);
    double share = Sim.run(1.0, () -> 1 + 8 * lead.nextDouble(), s, 200_000, 13).warmShare();
    assertThat(share).isGreaterThan(0.95);
  }

  /** A simulated pool under a base-stock policy of {@code stock}; see the Javadoc of the tests. */
  record Sim(int arrivals, int warm, double[] waits) {
    double warmShare() {
      return (double) warm / arrivals;
    }

    /** Share of visitors (warm ones wait 0) who waited at most {@code seconds}. */
    double waitShare(double seconds) {
      int ok = warm;
      for (double w : waits) {
        if (w <= seconds) {
          ok++;
        }
      }
      return (double) ok / arrivals;
    }

    static Sim run(
        double rate, java.util.function.DoubleSupplier refill, int stock, int n, long seed) {
      Random rnd = new Random(seed);
      java.util.PriorityQueue<Double> coming = new java.util.PriorityQueue<>();
      java.util.ArrayDeque<Double> waiting = new java.util.ArrayDeque<>();
      double[] waits = new double[n];
      int served = 0;
      int ready = stock;
      int warm = 0;
      double t = 0;
      for (int i = 0; i < n; i++) {
        t += -Math.log(1 - rnd.nextDouble()) / rate;
        while (!coming.isEmpty() && coming.peek() <= t) {
          double at = coming.poll();
          if (waiting.isEmpty()) {
            ready++;
          } else {
            waits[served++] = at - waiting.poll();
          }
        }
        if (ready > 0) {
          ready--;
          warm++;
        } else {
          waiting.add(t);
        }
        coming.add(t + refill.getAsDouble());
      }
      while (!waiting.isEmpty()) {
        waits[served++] = coming.poll() - waiting.poll();
      }
      return new Sim(n, warm, java.util.Arrays.copyOf(waits, served));
    }
  }

  @Test
  void stableUnderNoise() {
    // Poisson arrivals at 1/s, refill times 5 s +-20 %, folded every second the way
    // observe_demand folds them (EWMA, window 5 min); 40 minutes of it.
    Slo slo = slo(0.95, null, null);
    Random rnd = new Random(42);
    double rate = 0;
    long since = NOW;
    List<Long> ptimes = new ArrayList<>();
    int target = 0;
    long movedAt = 0;
    int changesAfterWarmUp = 0;
    int lo = Integer.MAX_VALUE;
    int hi = 0;
    double burst = 0;
    double d = Math.exp(-1000.0 / WINDOW.toMillis());
    double db = Math.exp(-1000.0 / slo.burstWindow().toMillis());
    for (int s = 1; s <= 2400; s++) {
      long now = NOW + s * 1000L;
      int n = poisson(rnd, 1.0);
      rate = rate * d + n * (1 - d);
      burst = burst * db + n * (1 - db);
      if (rnd.nextDouble() < 1.0) {
        ptimes.addFirst(Math.round(5000 * (0.8 + 0.4 * rnd.nextDouble())));
        if (ptimes.size() > 64) {
          ptimes.removeLast();
        }
      }
      PoolDemand pd =
          new PoolDemand("t", rate, 0, since, now, 0, 0, target, 0, movedAt, s, ptimes, burst);
      PoolSizer.Decision x = PoolSizer.decide(slo, 1, 50, pd, now);
      if (x.moved()) {
        movedAt = now;
        if (s > 600) {
          changesAfterWarmUp++;
        }
      }
      target = x.target();
      if (s > 600) {
        lo = Math.min(lo, target);
        hi = Math.max(hi, target);
      }
    }
    // the exact answer for λ = 1, R = p95 of U(4 s, 6 s) = 5.9 s: P(Poisson(5.9) <= 10) >= 0.95,
    // S = 11
    assertThat(lo).isGreaterThanOrEqualTo(10);
    assertThat(hi).isLessThanOrEqualTo(12);
    assertThat(changesAfterWarmUp).isLessThanOrEqualTo(4);
  }

  private static int poisson(Random rnd, double mean) {
    double l = Math.exp(-mean);
    double p = 1;
    int k = 0;
    do {
      k++;
      p *= rnd.nextDouble();
    } while (p > l);
    return k - 1;
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-4);
  }

  private static PoolSizer.Decision decide(Slo slo, int minReady, int maxTotal, PoolDemand d) {
    return PoolSizer.decide(slo, minReady, maxTotal, d, NOW);
  }

  /** An old estimate (observed for hours) of {@code rate}, with a stored target. */
  static PoolDemand demand(double rate, List<Long> ptimes, int target, long movedAt) {
    return new PoolDemand(
        "t", rate, 0, NOW - 36_000_000, NOW, 0, 0, target, 0, movedAt, 7, ptimes, rate);
  }

  static List<Long> samples(long ms) {
    return List.of(ms, ms, ms, ms, ms);
  }

  static Slo slo(Double hitRate, Duration maxWait, Integer maxReady) {
    return new TestSlo(
        hitRate == null ? OptionalDouble.empty() : OptionalDouble.of(hitRate),
        Optional.ofNullable(maxWait),
        maxReady == null ? OptionalInt.empty() : OptionalInt.of(maxReady));
  }

  record TestSlo(OptionalDouble hitRate, Optional<Duration> maxWait, OptionalInt maxReady)
      implements Slo {
    @Override
    public double waitPercentile() {
      return 0.95;
    }

    @Override
    public Duration window() {
      return WINDOW;
    }

    @Override
    public Duration burstWindow() {
      return Duration.ofSeconds(30);
    }

    @Override
    public double refillPercentile() {
      return 0.95;
    }

    @Override
    public Duration provisionEstimate() {
      return Duration.ofSeconds(10);
    }

    @Override
    public Duration scaleDownStep() {
      return Duration.ofSeconds(30);
    }
  }
}
