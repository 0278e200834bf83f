package io.trynow.pool.sizing;

import io.trynow.platform.state.PoolDemand;
import io.trynow.platform.template.TemplatesConfig.Slo;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.DoubleSupplier;

/**
 * A day of arrivals against a simulated pool run the way pool-service runs it: {@code
 * reserve_provision} keeps ready + coming − waiting at max(min-ready, target) with at most {@code
 * slots} provisions under way (the rest of the deficit waits for a slot, as it does in Valkey: no
 * record until a slot is free), a finished provision goes to the oldest waiting visitor or to the
 * ready list, and every {@code tick} seconds the arrivals are folded into the two EWMAs exactly as
 * {@code observe_demand} does, {@link PoolSizer#decide} sets the target and one surplus ready
 * instance per {@code scale-down-step} is retired when nobody waits. Without a service target the
 * pool is a fixed min-ready pool. Visitors are never released early: the engine's other work
 * (teardowns) is not modelled.
 */
final class PoolDaySim {

  /** The outcome of one day. */
  record Result(
      int arrivals,
      int warm,
      double idleSeconds,
      int targetMin,
      int targetMax,
      List<Double> waits,
      int crowdWarm) {
    double warmShare() {
      return (double) warm / arrivals;
    }

    @Override
    public String toString() {
      List<Double> w = new ArrayList<>(waits);
      Collections.sort(w);
      return String.format(
          "warm %5.1f %% (%d/%d, crowd %d), idle %5.0f container-s, target %d..%d, queued p50 %.1f"
              + " s max %.1f s",
          100 * warmShare(),
          warm,
          arrivals,
          crowdWarm,
          idleSeconds,
          targetMin,
          targetMax,
          w.isEmpty() ? 0 : w.get(w.size() / 2),
          w.isEmpty() ? 0 : w.getLast());
    }
  }

  static boolean DEBUG = false;

  private PoolDaySim() {}

  /**
   * Runs a day: {@code slo} null = a fixed pool of {@code minReady}; {@code firstFill} the
   * provisioning times already measured when the day starts (newest first), {@code crowd} the
   * window [from, to) whose warm visitors are counted apart.
   */
  static Result run(
      List<Double> arrivals,
      Slo slo,
      int minReady,
      int maxTotal,
      int slots,
      DoubleSupplier provisionSeconds,
      List<Long> firstFill,
      double crowdFrom,
      double crowdTo) {
    double tick = 1.0;
    PriorityQueue<Double> coming = new PriorityQueue<>();
    ArrayDeque<Double> waiting = new ArrayDeque<>();
    List<Long> ptimes = new ArrayList<>(firstFill);
    List<Double> waits = new ArrayList<>();
    int ready = minReady;
    int warm = 0;
    int crowdWarm = 0;
    double idle = 0;
    double last = 0;
    // the estimate, as observe_demand keeps it
    double rate = 0;
    double burst = 0;
    long seen = 0;
    long count = 0;
    long since = -1;
    double at = 0;
    int target = 0;
    long movedAt = 0;
    double retiredAt = -1e9;
    int tMin = Integer.MAX_VALUE;
    int tMax = 0;
    long version = 0;
    double nextTick = 0;
    int i = 0;
    double end = arrivals.getLast() + 1;
    long base = 1_000_000_000L;
    java.util.Map<Double, Double> startedAt = new java.util.HashMap<>();
    while (i < arrivals.size() || nextTick <= end) {
      double ta = i < arrivals.size() ? arrivals.get(i) : Double.MAX_VALUE;
      double tc = coming.isEmpty() ? Double.MAX_VALUE : coming.peek();
      double now = Math.min(ta, Math.min(tc, nextTick));
      idle += ready * (now - last);
      last = now;
      if (now == tc) {
        double done = coming.poll();
        ptimes.addFirst(Math.round((done - startedAt.remove(done)) * 1000));
        if (ptimes.size() > 64) {
          ptimes.removeLast();
        }
        if (waiting.isEmpty()) {
          ready++;
        } else {
          waits.add(now - waiting.poll());
        }
      } else if (now == ta) {
        i++;
        count++;
        if (ready > 0) {
          ready--;
          warm++;
          if (now >= crowdFrom && now < crowdTo) {
            crowdWarm++;
          }
        } else {
          waiting.add(now);
        }
      } else {
        nextTick += tick;
        if (slo != null) {
          long nowMs = base + Math.round(now * 1000);
          if (since < 0) {
            since = nowMs;
          } else {
            double dt = (now - at) * 1000;
            long n = count - seen;
            double d = Math.exp(-dt / slo.window().toMillis());
            rate = rate * d + (n * 1000 / dt) * (1 - d);
            double db = Math.exp(-dt / slo.effectiveBurstWindow().toMillis());
            burst = burst * db + (n * 1000 / dt) * (1 - db);
          }
          seen = count;
          at = now;
          version++;
          PoolDemand pd =
              new PoolDemand(
                  "t", rate, 0, since, nowMs, count, warm, target, 0, movedAt, version, ptimes,
                  burst, 0, 0, 0);
          PoolSizer.Decision x = PoolSizer.decide(slo, minReady, maxTotal, slots, pd, nowMs);
          if (x.moved()) {
            movedAt = nowMs;
          }
          target = x.target();
          if (DEBUG) {
            System.out.printf(
                "t=%5.0f slow %.3f fast %.3f rate %.3f R' %d (wait %d) target %d ready %d coming %d"
                    + " waiting %d%n",
                now,
                rate,
                burst,
                x.ratePerSecond(),
                x.refillMs(),
                x.slotWaitMs(),
                target,
                ready,
                coming.size(),
                waiting.size());
          }
          int keep = Math.max(minReady, target);
          if (ready > keep
              && waiting.isEmpty()
              && now - retiredAt >= slo.scaleDownStep().toMillis() / 1000.0) {
            ready--;
            retiredAt = now;
          }
        }
      }
      int s = Math.max(minReady, target);
      tMin = Math.min(tMin, s);
      tMax = Math.max(tMax, s);
      // reserve_provision
      while (ready + coming.size() < s + waiting.size()
          && coming.size() < slots
          && ready + coming.size() < maxTotal) {
        double p = provisionSeconds.getAsDouble();
        double done = now + p;
        while (startedAt.containsKey(done)) {
          done = Math.nextUp(done);
        }
        startedAt.put(done, now);
        coming.add(done);
      }
    }
    return new Result(arrivals.size(), warm, idle, tMin, tMax, waits, crowdWarm);
  }
}
