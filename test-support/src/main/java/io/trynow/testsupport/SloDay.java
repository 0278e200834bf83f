package io.trynow.testsupport;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The day of visitors {@code bench slo} replays against the real stack and {@code PoolDaySim}
 * against a simulated pool (one schedule, so the simulation and the bench see the same arrivals for
 * the same seed): Poisson with rate {@code peak} · (0.05 + 0.95 sin⁴(π t / span)) — night, an
 * afternoon peak, night — drawn by thinning, plus a flash crowd of {@code crowd} visitors at {@link
 * #crowdStart 60 %} of the day, {@link #CROWD_SPACING} s apart.
 */
public final class SloDay {

  /** Seconds between two visitors of the flash crowd. */
  public static final double CROWD_SPACING = 0.05;

  private SloDay() {}

  /** Arrival times in seconds from the start of a day of {@code minutes}, sorted. */
  public static List<Double> schedule(int minutes, double peak, int crowd, long seed) {
    Random rnd = new Random(seed);
    double span = minutes * 60.0;
    List<Double> out = new ArrayList<>();
    double t = 0;
    while (true) {
      t += -Math.log(1 - rnd.nextDouble()) / peak; // thinning: candidates at the peak rate
      if (t >= span) {
        break;
      }
      double dayShape = Math.pow(Math.sin(Math.PI * t / span), 4);
      if (rnd.nextDouble() < 0.05 + 0.95 * dayShape) {
        out.add(t);
      }
    }
    for (int i = 0; i < crowd; i++) {
      out.add(crowdStart(span) + i * CROWD_SPACING);
    }
    Collections.sort(out);
    return out;
  }

  /** When the flash crowd starts in a day of {@code spanSeconds}. */
  public static double crowdStart(double spanSeconds) {
    return spanSeconds * 0.6;
  }
}
