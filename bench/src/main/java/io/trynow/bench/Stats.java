package io.trynow.bench;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/** Latency recording and the one print format every benchmark uses. */
public final class Stats {

  private final String name;
  private final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
  private long errors;
  private long startNanos = System.nanoTime();
  private long endNanos;
  private long[] series;
  private long seriesInterval;

  public Stats(String name) {
    this.name = name;
  }

  public synchronized void record(long nanos) {
    histogram.recordValue(Math.min(nanos, histogram.getHighestTrackableValue()));
  }

  /**
   * Each request's latency (ns; 0 = no answer) by its place in an open-loop schedule of one request
   * every {@code intervalNanos}, for {@link #printSlices}.
   */
  public synchronized void series(long[] latencies, long intervalNanos) {
    this.series = latencies.clone();
    this.seriesInterval = intervalNanos;
  }

  /**
   * Two lines: p50 and p99 of each {@code sliceSeconds} of the schedule (from {@link #series}), so
   * a tail made in one part of the run (the JIT still compiling at its start, a pause) shows.
   */
  public synchronized void printSlices(PrintStream out, int sliceSeconds) {
    if (series == null || series.length == 0) {
      return;
    }
    int perSlice = (int) Math.max(1, TimeUnit.SECONDS.toNanos(sliceSeconds) / seriesInterval);
    StringBuilder p50 = new StringBuilder();
    StringBuilder p99 = new StringBuilder();
    for (int from = 0; from < series.length; from += perSlice) {
      Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
      for (int i = from; i < Math.min(series.length, from + perSlice); i++) {
        if (series[i] > 0) {
          h.recordValue(Math.min(series[i], h.getHighestTrackableValue()));
        }
      }
      p50.append(String.format(" %6.2f", ms(h.getValueAtPercentile(50))));
      p99.append(String.format(" %6.2f", ms(h.getValueAtPercentile(99))));
    }
    out.printf("  by %d s of the schedule: p50%s ms%n", sliceSeconds, p50);
    out.printf("  %s p99%s ms%n", " ".repeat(String.valueOf(sliceSeconds).length() + 9), p99);
  }

  /**
   * The spans (in {@link System#nanoTime} terms) during which the requests of the series slower
   * than {@code thresholdNanos} waited, widened by {@code marginNanos}: {@link
   * MachineCpu#slowWindows}.
   */
  public synchronized java.util.List<long[]> slowWindows(long thresholdNanos, long marginNanos) {
    return series == null
        ? java.util.List.of()
        : MachineCpu.slowWindows(series, startNanos, seriesInterval, thresholdNanos, marginNanos);
  }

  public synchronized void error() {
    errors++;
  }

  public synchronized void start() {
    startNanos = System.nanoTime();
  }

  public synchronized void stop() {
    endNanos = System.nanoTime();
  }

  public synchronized long count() {
    return histogram.getTotalCount();
  }

  /** The latency at percentile {@code p} (0-100), in ms. */
  public synchronized double percentileMs(double p) {
    return ms(histogram.getValueAtPercentile(p));
  }

  public synchronized long errors() {
    return errors;
  }

  /** One line: name, count, ops/s, p50/p90/p99/max in ms, errors. */
  public synchronized void print(PrintStream out) {
    long end = endNanos == 0 ? System.nanoTime() : endNanos;
    double seconds = (end - startNanos) / 1e9;
    out.printf(
        "%-40s n=%-8d %10.0f ops/s  p50=%7.3f ms  p90=%7.3f ms  p99=%7.3f ms  max=%8.3f ms  errors=%d%n",
        name,
        histogram.getTotalCount(),
        histogram.getTotalCount() / seconds,
        ms(histogram.getValueAtPercentile(50)),
        ms(histogram.getValueAtPercentile(90)),
        ms(histogram.getValueAtPercentile(99)),
        ms(histogram.getMaxValue()),
        errors);
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
