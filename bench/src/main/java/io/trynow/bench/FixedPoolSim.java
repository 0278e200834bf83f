package io.trynow.bench;

import java.util.ArrayDeque;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * A fixed {@code min-ready} pool replayed on an arrival schedule: every arrival takes a ready
 * instance or waits in line, and orders one replacement that waits for one of {@code slots}
 * provisioning slots (max-in-flight; 0 = no limit) and is ready a provisioning time later, drawn
 * from the ones measured on the real stack. The engine's other work (teardowns) is not modelled, so
 * the share served warm is an upper bound for the real pool: the smallest pool it finds is where
 * {@link SloBench}'s real runs start looking, never a result on its own.
 */
final class FixedPoolSim {

  /** Share of arrivals served warm, and container-seconds spent ready, of one replay. */
  record Outcome(double warmShare, double idleSeconds) {}

  private FixedPoolSim() {}

  /** The mean over {@code reps} replays (different provisioning-time draws). */
  static Outcome replay(
      List<Double> arrivals, List<Long> provisionMs, int stock, int reps, int slots) {
    double warm = 0;
    double idle = 0;
    for (int r = 0; r < reps; r++) {
      Outcome o = once(arrivals, provisionMs, stock, new Random(r), slots);
      warm += o.warmShare();
      idle += o.idleSeconds();
    }
    return new Outcome(warm / reps, idle / reps);
  }

  static Outcome once(
      List<Double> arrivals, List<Long> provisionMs, int stock, Random rnd, int slots) {
    PriorityQueue<Double> free = new PriorityQueue<>();
    for (int k = 0; k < slots; k++) {
      free.add(0.0);
    }
    PriorityQueue<Double> coming = new PriorityQueue<>();
    ArrayDeque<Double> waiting = new ArrayDeque<>();
    int ready = stock;
    int warm = 0;
    double idle = 0;
    double last = 0;
    for (double t : arrivals) {
      while (!coming.isEmpty() && coming.peek() <= t) {
        double at = coming.poll();
        idle += ready * (at - last);
        last = at;
        if (waiting.isEmpty()) {
          ready++;
        } else {
          waiting.poll();
        }
      }
      idle += ready * (t - last);
      last = t;
      if (ready > 0) {
        ready--;
        warm++;
      } else {
        waiting.add(t);
      }
      double p = provisionMs.get(rnd.nextInt(provisionMs.size())) / 1000.0;
      if (slots > 0) {
        double done = Math.max(t, free.poll()) + p;
        free.add(done);
        coming.add(done);
      } else {
        coming.add(t + p);
      }
    }
    return new Outcome((double) warm / arrivals.size(), idle);
  }
}
