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

  public Stats(String name) {
    this.name = name;
  }

  public synchronized void record(long nanos) {
    histogram.recordValue(Math.min(nanos, histogram.getHighestTrackableValue()));
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
