package io.trynow.pool.sizing;

import static org.assertj.core.api.Assertions.assertThat;

import io.trynow.platform.state.PoolDemand;
import io.trynow.platform.template.TemplatesConfig.Slo;
import io.trynow.testsupport.SloDay;
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
  void refillTimeIsTheMeanOfTheNewestSamplesOrTheEstimateUntilThree() {
    Slo slo = slo(0.95, null, null);
    assertThat(PoolSizer.refillMs(List.of(4000L, 6000L), slo)).isEqualTo(10_000);
    // the mean, not a high percentile: the number of refills under way depends on the
    // provisioning times only through their mean (M/G/inf); plus 1.645 standard errors of it
    // (sd 1000 of 3 samples: 1.645 * 1000 / sqrt(3) = 950)
    assertThat(PoolSizer.refillMs(List.of(2000L, 3000L, 4000L), slo)).isEqualTo(3950);
    assertThat(PoolSizer.refillMs(List.of(3000L, 3000L, 3000L), slo)).isEqualTo(3000);
    // only the newest 32 count (newest first)
    List<Long> s = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      s.add(i < 32 ? 3000L : 9000L);
    }
    assertThat(PoolSizer.refillMs(s, slo)).isEqualTo(3000);
    // a percentile when one is configured (nearest rank over all 64 kept)
    List<Long> hundred = new ArrayList<>();
    for (long i = 1; i <= 100; i++) {
      hundred.add(i * 100);
    }
    assertThat(PoolSizer.refillMs(hundred, ((TestSlo) slo).withRefillPercentile(0.95)))
        .isEqualTo(9500);
    // slower provisioning asks for more warm instances at the same rate
    int fast = decide(slo, 0, 100, demand(1.0, samples(2000), 0, 0)).target();
    int slow = decide(slo, 0, 100, demand(1.0, samples(20_000), 0, 0)).target();
    assertThat(fast).isEqualTo(6); // P(Poisson(2) <= 5) >= 0.95
    assertThat(slow).isEqualTo(29); // P(Poisson(20) <= 28) >= 0.95
  }

  @Test
  void aSlowFirstFillDoesNotSizeThePoolForLong() {
    Slo slo = slo(0.95, null, null);
    // cold services: the first fill took 12.7 s, the refills since 3 s (newest first)
    List<Long> s = new ArrayList<>(List.of(3000L, 3000L, 3000L, 3000L, 12_700L));
    // each sample counts at most twice the median: mean (4 * 3000 + 6000) / 5 = 3600, sd 1342,
    // plus 1.645 * 1342 / sqrt(5) = 987
    assertThat(PoolSizer.refillMs(s, slo)).isEqualTo(4587);
    // the 95th percentile took the cold sample as R
    assertThat(PoolSizer.refillMs(s, ((TestSlo) slo).withRefillPercentile(0.95))).isEqualTo(12_700);
    // at a night's 0.1/s that sized the pool larger than the refills need
    int before =
        PoolSizer.target(
            slo, 0.1, PoolSizer.refillMs(s, ((TestSlo) slo).withRefillPercentile(0.95)), 0, 100);
    int now = PoolSizer.target(slo, 0.1, PoolSizer.refillMs(s, slo), 0, 100);
    assertThat(now).isLessThan(before);
    // 32 refills later it no longer counts at all
    for (int i = 0; i < 32; i++) {
      s.addFirst(3000L);
    }
    assertThat(PoolSizer.refillMs(s, slo)).isEqualTo(3000);
  }

  @Test
  void theRefillTimeIncludesTheWaitForAProvisioningSlot() {
    // Erlang C of M/M/4 offered a = 2.7, from its closed form
    double a = 2.7;
    int m = 4;
    double rho = a / m;
    double sum = 0;
    double term = 1;
    for (int k = 0; k < m; k++) {
      sum += term;
      term *= a / (k + 1);
    }
    double top = term / (1 - rho);
    double c = top / (sum + top);
    assertThat(PoolSizer.erlangC(4, 2.7)).isCloseTo(c, within());
    // 0.9 arrivals/s, provisioning 3 s, 4 slots: the M/M/m wait W = C R / (m (1 - ρ)) (the
    // Allen–Cunneen factor of a steady provisioning time would halve it: not below M/M/m)
    long w = PoolSizer.slotWaitMs(0.9, 3000, 4, 0);
    assertThat(w).isEqualTo(Math.round(c * 3 / (4 * (1 - rho)) * 1000));
    assertThat(w).isEqualTo(PoolSizer.slotWaitMs(0.9, 3000, 4, 1));
    assertThat(w).isBetween(800L, 1000L);
    // a spread-out provisioning time (c² = 2) waits longer: (1 + 2) / 2
    assertThat(PoolSizer.slotWaitMs(0.9, 3000, 4, 2))
        .isCloseTo(w * 3 / 2, org.assertj.core.data.Offset.offset(2L));
    // no limit, plenty of slots, nothing arriving: no wait
    assertThat(PoolSizer.slotWaitMs(0.9, 3000, 0, 0)).isZero();
    assertThat(PoolSizer.slotWaitMs(0.9, 3000, 100, 0)).isZero();
    assertThat(PoolSizer.slotWaitMs(0, 3000, 4, 0)).isZero();
    // overloaded (5/s against 4 slots of 3 s): computed at a load of 0.8, finite
    long over = PoolSizer.slotWaitMs(5, 3000, 4, 1);
    assertThat(over).isEqualTo(PoolSizer.slotWaitMs(3.2 / 3, 3000, 4, 1)).isBetween(1000L, 30_000L);
    // decide adds it to the refill time and sizes for it
    Slo slo = slo(0.95, null, null);
    PoolSizer.Decision limited =
        PoolSizer.decide(slo, 0, 100, 4, demand(0.9, samples(3000), 0, 0), NOW);
    PoolSizer.Decision unlimited =
        PoolSizer.decide(slo, 0, 100, 0, demand(0.9, samples(3000), 0, 0), NOW);
    assertThat(limited.slotWaitMs()).isEqualTo(w);
    assertThat(limited.refillMs()).isEqualTo(3000 + w);
    assertThat(unlimited.refillMs()).isEqualTo(3000);
    assertThat(limited.target()).isGreaterThan(unlimited.target());
  }

  @Test
  void aSlotLimitedPoolMeetsItsTargetInASimulatedPool() {
    // 1 arrival/s, provisioning 3 s, 4 slots (load 0.75): sized without the wait for a slot the
    // pool misses 95 %, with it the pool meets it
    Slo slo = slo(0.95, null, null);
    int without = PoolSizer.target(slo, 1.0, 3000, 0, 1000);
    int with = PoolSizer.target(slo, 1.0, 3000 + PoolSizer.slotWaitMs(1.0, 3000, 4, 0), 0, 1000);
    double shareWithout = Sim.run(1.0, () -> 3.0, without, 200_000, 14, 4).warmShare();
    double shareWith = Sim.run(1.0, () -> 3.0, with, 200_000, 14, 4).warmShare();
    System.out.printf(
        "4 slots: S=%d (no wait) warm %.4f, S=%d (with the wait) warm %.4f%n",
        without, shareWithout, with, shareWith);
    assertThat(with).isGreaterThan(without);
    assertThat(shareWithout).isLessThan(0.95);
    assertThat(shareWith).isGreaterThan(0.95);
  }

  @Test
  void withASlotLimitTheHitRateTargetCoversTheBacklogOfAnMmmQueue() {
    // M/M/4 offered a = 2.7 (0.9/s, 3 s): P(N = n) = p0 a^n / n! below 4, p0 a^4 / 4! rho^(n-4)
    // from 4 on; the target is the smallest S with P(N <= S - 1) >= 0.95, from the closed form
    double a = 2.7;
    int m = 4;
    double rho = a / m;
    double[] p = new double[60];
    double term = 1;
    for (int n = 0; n < p.length; n++) {
      p[n] = n < m ? term : p[m - 1] * a / m * Math.pow(rho, n - m);
      term *= a / (n + 1);
    }
    double total = java.util.Arrays.stream(p).sum();
    double cdf = 0;
    int expected = 0;
    while (cdf < 0.95) {
      cdf += p[expected++] / total;
    }
    assertThat(PoolSizer.queueStock(a, m, 0.95, 1000)).isEqualTo(expected).isEqualTo(10);
    // more than the Poisson count with the mean slot wait (what the mean leaves out: the tail)
    Slo slo = slo(0.95, null, null);
    long w = PoolSizer.slotWaitMs(0.9, 3000, 4, 1);
    int poisson = PoolSizer.target(slo, 0.9, 3000 + w, 0, 1000);
    assertThat(PoolSizer.target(slo, 0.9, 3000, w, 4, 0, 1000))
        .isEqualTo(10)
        .isGreaterThan(poisson);
    // no slot limit: the M/G/inf count as before; plenty of slots: the same
    assertThat(PoolSizer.target(slo, 0.9, 3000, 0, 0, 0, 1000))
        .isEqualTo(PoolSizer.target(slo, 0.9, 3000, 0, 1000));
    assertThat(PoolSizer.queueStock(2.7, 100, 0.95, 1000))
        .isEqualTo(PoolSizer.stock(2.7, 0.95, 1000));
    // past a load of MAX_LOAD it stays at that load's value (finite), the budget caps it
    int atMax = PoolSizer.queueStock(PoolSizer.MAX_LOAD * 4, 4, 0.95, 1000);
    assertThat(PoolSizer.queueStock(10, 4, 0.95, 1000)).isEqualTo(atMax).isBetween(12, 20);
    assertThat(PoolSizer.queueStock(10, 4, 0.95, 9)).isEqualTo(9);
    assertThat(PoolSizer.queueStock(0, 4, 0.95, 1000)).isZero();
    // monotone in the load
    int last = 0;
    for (double x = 0.1; x <= 4; x += 0.1) {
      int s = PoolSizer.queueStock(x, 4, 0.95, 1000);
      assertThat(s).isGreaterThanOrEqualTo(last);
      last = s;
    }
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
    PoolDemand young =
        new PoolDemand("t", 1.0, 0, NOW, NOW, 0, 0, 0, 0, 0, 1, List.of(), 1.0, 0, 0, 0);
    assertThat(PoolSizer.rate(young, slo)).isCloseTo(1 / (1 - Math.exp(-1)), within());
    PoolDemand old =
        new PoolDemand(
            "t", 1.0, 0, NOW - 3_600_000, NOW, 0, 0, 0, 0, 0, 1, List.of(), 1.0, 0, 0, 0);
    assertThat(PoolSizer.rate(old, slo)).isCloseTo(1.0, within());
  }

  @Test
  void aRisingRateIsSeenThroughTheBurstWindow() {
    Slo slo = slo(0.95, null, null);
    // the 5 min EWMA still says 0.2/s, the 30 s one has reached 1.2/s, well above its noise
    // (sqrt(0.2 / 60) = 0.058/s): a rise under way. A ramp of slope g leaves an EWMA g·τ behind,
    // so g = (1.2 - 0.2) / (300 - 30) s, and the pool is sized for the fast estimate plus its own
    // lag and the refill time ahead: 1.2 + g (30 + 5)
    PoolDemand rising =
        new PoolDemand(
            "t", 0.2, 0, NOW - 3_600_000, NOW, 0, 0, 0, 0, 0, 1, samples(5000), 1.2, 0, 0, 0);
    double expected = 1.2 + (1.0 / 270) * (30 + 5);
    assertThat(PoolSizer.rate(rising, slo)).isCloseTo(expected, within());
    assertThat(decide(slo, 0, 20, rising).target())
        .isEqualTo(PoolSizer.stock(expected * 5, 0.95, 20));
    // the earlier rule sized for the fast estimate less 2 sigma: 1.085/s, below even the lagging
    // fast estimate
    assertThat(PoolSizer.rate(rising, slo)).isGreaterThan(1.2);
    // within two standard deviations of the fast estimate's noise (0.129/s): the slow one rules
    PoolDemand noisy =
        new PoolDemand(
            "t", 1.0, 0, NOW - 3_600_000, NOW, 0, 0, 0, 0, 0, 1, samples(5000), 1.2, 0, 0, 0);
    assertThat(PoolSizer.rate(noisy, slo)).isCloseTo(1.0, within());
    // a lull: the burst EWMA falls first, the slow one holds the rate
    PoolDemand lull =
        new PoolDemand(
            "t", 1.0, 0, NOW - 3_600_000, NOW, 0, 0, 0, 0, 0, 1, samples(5000), 0.1, 0, 0, 0);
    assertThat(PoolSizer.rate(lull, slo)).isCloseTo(1.0, within());
    // a jump (a flash crowd folded at once): the trend counts at most as much as the fast estimate
    PoolDemand jump =
        new PoolDemand(
            "t", 0.01, 0, NOW - 3_600_000, NOW, 0, 0, 0, 0, 0, 1, samples(5000), 50, 0, 0, 0);
    assertThat(PoolSizer.rate(jump, slo)).isLessThanOrEqualTo(100);
  }

  @Test
  void aMorningRampIsFollowedNotLagged() {
    // the bench's settings (window 30 s, burst window 5 s, refill 3 s): Poisson arrivals whose
    // rate climbs from 0.05/s to 0.9/s over 60 s, folded every second; while it climbs, the rate
    // the pool is sized for stays close to the true one (the earlier rule lagged it by 0.2-0.3/s)
    Slo slo = benchSlo();
    double shortfall = 0;
    double before = 0;
    int n = 0;
    for (long seed = 1; seed <= 20; seed++) {
      Random rnd = new Random(seed);
      double rate = 0;
      double burst = 0;
      for (int t = 1; t <= 90; t++) {
        double truth = t < 20 ? 0.05 : Math.min(0.9, 0.05 + 0.85 * (t - 20) / 60.0);
        int arrivals = poisson(rnd, truth);
        rate = rate * Math.exp(-1 / 30.0) + arrivals * (1 - Math.exp(-1 / 30.0));
        burst = burst * Math.exp(-1 / 5.0) + arrivals * (1 - Math.exp(-1 / 5.0));
        if (t >= 40 && t <= 80) {
          PoolDemand d =
              new PoolDemand(
                  "t",
                  rate,
                  0,
                  NOW - 3_600_000,
                  NOW,
                  0,
                  0,
                  0,
                  0,
                  0,
                  1,
                  samples(3000),
                  burst,
                  0,
                  0,
                  0);
          shortfall += truth - PoolSizer.rate(d, slo);
          // the earlier rule: the fast estimate less 2 sigma, or the slow one
          before += truth - Math.max(rate, burst - 2 * Math.sqrt(rate / (2 * 5.0)));
          n++;
        }
      }
    }
    double meanShortfall = shortfall / n;
    System.out.printf(
        "ramp: the sizing rate is on average %.3f/s below the true rate (the earlier rule %.3f/s)%n",
        meanShortfall, before / n);
    assertThat(meanShortfall).isLessThan(0.15).isLessThan(before / n * 0.6);
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
  void aVariableRefillTimeIsCoveredByItsMean() {
    // refill times uniform in [1 s, 9 s]: the target from their mean (~5 s, plus its standard
    // error) serves 95 % warm, as M/G/inf says: only the mean matters
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
      return run(rate, refill, stock, n, seed, 0);
    }

    /** With {@code slots} > 0 a replacement waits for one of that many provisioning slots. */
    static Sim run(
        double rate,
        java.util.function.DoubleSupplier refill,
        int stock,
        int n,
        long seed,
        int slots) {
      Random rnd = new Random(seed);
      java.util.PriorityQueue<Double> free = new java.util.PriorityQueue<>();
      for (int k = 0; k < slots; k++) {
        free.add(0.0);
      }
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
        if (slots > 0) {
          double done = Math.max(t, free.poll()) + refill.getAsDouble();
          free.add(done);
          coming.add(done);
        } else {
          coming.add(t + refill.getAsDouble());
        }
      }
      while (!waiting.isEmpty()) {
        waits[served++] = coming.poll() - waiting.poll();
      }
      return new Sim(n, warm, java.util.Arrays.copyOf(waits, served));
    }
  }

  /**
   * The bench's day (SloBench: 3 minutes, peak 0.9/s, the app boots in 2 s so a provision takes ~3
   * s, 4 slots, min-ready 1, the services' cold first fill measured at 12.7 s) against the
   * simulated pool, six days without and six with the bench's flash crowd (8 visitors at once, 10 %
   * of the day): the target-driven pool serves 95 % warm on every day without the crowd, and on at
   * least five of the six with it it does so with fewer idle container-seconds than the smallest
   * fixed pool that does (the Poisson count with the mean slot wait: 4 of 6 without the crowd, 2 of
   * 6 with it, seed 1 — the bench's — at 79 %).
   */
  @Test
  void aSimulatedBenchDayMeetsTheHitRateWithLessIdleThanTheSmallestFixedPool() {
    Slo slo = benchSlo();
    int met = 0;
    for (int crowd : new int[] {0, 8}) {
      for (long seed = 1; seed <= 6; seed++) {
        List<Double> day = SloDay.schedule(3, 0.9, crowd, seed);
        PoolDaySim.Result auto =
            PoolDaySim.run(day, slo, 1, 210, 4, provision(seed), List.of(12_700L), 108, 108.4);
        PoolDaySim.Result fixed = null;
        int m = 1;
        for (; m <= 40; m++) {
          fixed = PoolDaySim.run(day, null, m, 210, 4, provision(seed), List.of(), 108, 108.4);
          if (fixed.warmShare() >= 0.95) {
            break;
          }
        }
        boolean better = auto.warmShare() >= 0.95 && auto.idleSeconds() < fixed.idleSeconds();
        System.out.printf(
            "day %d crowd %d target-driven: %s%n                 fixed %2d: %s%s%n",
            seed, crowd, auto, m, fixed, better ? "  (target-driven better)" : "");
        if (crowd == 0) {
          assertThat(auto.warmShare()).as("day %d without the crowd", seed).isGreaterThan(0.95);
        } else if (better) {
          met++;
        }
      }
    }
    assertThat(met).isGreaterThanOrEqualTo(5);
  }

  /** Provisioning of the bench's app: 2 s boot + ~0.4 s create + exponential overhead. */
  private static java.util.function.DoubleSupplier provision(long seed) {
    Random rnd = new Random(seed * 7919);
    return () -> 2.4 - Math.log(1 - rnd.nextDouble()) * 0.6;
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
          new PoolDemand(
              "t", rate, 0, since, now, 0, 0, target, 0, movedAt, s, ptimes, burst, 0, 0, 0);
      PoolSizer.Decision x = PoolSizer.decide(slo, 1, 50, 0, pd, now);
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
    // the exact answer for λ = 1, R = the mean of U(4 s, 6 s) plus its standard error, ~5.2 s:
    // P(Poisson(5.2) <= 9) >= 0.95, S = 10; now and then the burst estimate's noise (2 sigma)
    // lifts it for a few steps
    System.out.printf(
        "noise: target %d..%d, %d changes after warm-up%n", lo, hi, changesAfterWarmUp);
    assertThat(lo).isGreaterThanOrEqualTo(10);
    assertThat(hi).isLessThanOrEqualTo(13);
    assertThat(changesAfterWarmUp).isLessThanOrEqualTo(8);
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
    return PoolSizer.decide(slo, minReady, maxTotal, 0, d, NOW);
  }

  /** An old estimate (observed for hours) of {@code rate}, with a stored target. */
  static PoolDemand demand(double rate, List<Long> ptimes, int target, long movedAt) {
    return new PoolDemand(
        "t", rate, 0, NOW - 36_000_000, NOW, 0, 0, target, 0, movedAt, 7, ptimes, rate, 0, 0, 0);
  }

  static List<Long> samples(long ms) {
    return List.of(ms, ms, ms, ms, ms);
  }

  static Slo slo(Double hitRate, Duration maxWait, Integer maxReady) {
    return new TestSlo(
        hitRate == null ? OptionalDouble.empty() : OptionalDouble.of(hitRate),
        Optional.ofNullable(maxWait),
        maxReady == null ? OptionalInt.empty() : OptionalInt.of(maxReady),
        OptionalDouble.empty(),
        WINDOW,
        Duration.ofSeconds(30),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30));
  }

  /** The settings {@code bench slo} gives its target-driven pool. */
  static Slo benchSlo() {
    return new TestSlo(
        OptionalDouble.of(0.95),
        Optional.empty(),
        OptionalInt.empty(),
        OptionalDouble.empty(),
        Duration.ofSeconds(30),
        Duration.ofSeconds(5),
        Duration.ofSeconds(3),
        Duration.ofSeconds(5));
  }

  record TestSlo(
      OptionalDouble hitRate,
      Optional<Duration> maxWait,
      OptionalInt maxReady,
      OptionalDouble refillPercentile,
      Duration window,
      Duration burstWindow,
      Duration provisionEstimate,
      Duration scaleDownStep)
      implements Slo {
    @Override
    public double waitPercentile() {
      return 0.95;
    }

    TestSlo withRefillPercentile(double q) {
      return new TestSlo(
          hitRate,
          maxWait,
          maxReady,
          OptionalDouble.of(q),
          window,
          burstWindow,
          provisionEstimate,
          scaleDownStep);
    }
  }
}
