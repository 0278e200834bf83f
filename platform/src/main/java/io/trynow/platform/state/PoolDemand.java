package io.trynow.platform.state;

import java.util.List;
import java.util.Map;

/**
 * A template's demand estimate and service target as stored in Valkey ({@code slo:<tpl>}, see
 * pool_target.lua): what every pool replica reads and computes from.
 *
 * @param template template name
 * @param ratePerSecond arrivals per second (EWMA over the caller's window)
 * @param warmPerSecond acquires served from the ready list per second (same EWMA)
 * @param sinceMs when the estimate began (first fold), epoch ms; 0 if never
 * @param atMs the last fold, epoch ms; 0 if never
 * @param arrivals new requests counted since the estimate began (assigned, queued or queue full)
 * @param warm of those, served warm
 * @param target the stored ready target (0: none, min-ready applies)
 * @param refillMs the refill time the target was computed with
 * @param movedAtMs when the target last changed, epoch ms; 0 if never
 * @param version bumped by every fold and every target write (compare-and-set)
 * @param provisionTimesMs recent provisioning times (requested → ready), newest first
 * @param burstRatePerSecond arrivals per second over the caller's shorter burst window
 * @param sizingRatePerSecond the arrival rate the stored target was computed with (0 if none)
 * @param rawTarget the model's target for that rate before smoothing (0 if none)
 * @param slotWaitMs the mean wait for a provisioning slot included in {@code refillMs}
 */
public record PoolDemand(
    String template,
    double ratePerSecond,
    double warmPerSecond,
    long sinceMs,
    long atMs,
    long arrivals,
    long warm,
    int target,
    long refillMs,
    long movedAtMs,
    long version,
    List<Long> provisionTimesMs,
    double burstRatePerSecond,
    double sizingRatePerSecond,
    int rawTarget,
    long slotWaitMs) {

  public PoolDemand {
    provisionTimesMs = List.copyOf(provisionTimesMs);
  }

  /** Share of all arrivals counted so far that were served warm; 1 when nothing arrived. */
  public double hitRateTotal() {
    return arrivals <= 0 ? 1.0 : Math.min(1.0, (double) warm / arrivals);
  }

  /** Share of arrivals served warm over the window; 1 when nothing arrived. */
  public double hitRate() {
    return ratePerSecond <= 0 ? 1.0 : Math.min(1.0, warmPerSecond / ratePerSecond);
  }

  static PoolDemand of(String template, Map<String, String> f, List<String> ptimes) {
    return new PoolDemand(
        template,
        dbl(f.get("rate")),
        dbl(f.get("warm_rate")),
        lng(f.get("since")),
        lng(f.get("at")),
        lng(f.get("arrivals")),
        lng(f.get("warm")),
        (int) lng(f.get("target")),
        lng(f.get("r_ms")),
        lng(f.get("moved_at")),
        lng(f.get("version")),
        ptimes.stream().map(Long::parseLong).toList(),
        dbl(f.get("burst_rate")),
        dbl(f.get("sizing_rate")),
        (int) lng(f.get("raw_target")),
        lng(f.get("wait_ms")));
  }

  private static double dbl(String s) {
    return s == null || s.isEmpty() ? 0 : Double.parseDouble(s);
  }

  private static long lng(String s) {
    return s == null || s.isEmpty() ? 0 : Long.parseLong(s);
  }
}
