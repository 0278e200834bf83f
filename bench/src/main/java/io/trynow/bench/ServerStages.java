package io.trynow.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * A service's own stage timers over the bench's measured window only. The services publish
 * cumulative histogram buckets (since the service started, warm-up and the bench's own warm-up
 * included); a bench reads them once before its measured phase ({@link #read}) and once after, and
 * prints the difference ({@link Snapshot#since}): the requests of the window and no others.
 */
final class ServerStages {

  /** The gateway's acquire stage timers. */
  static final String GATEWAY = "trynow_gateway_acquire_stage";

  /** pool-service's acquire stage timers. */
  static final String POOL = "trynow_pool_acquire_stage";

  private ServerStages() {}

  /**
   * Histograms named {@code prefix*} at one instant: per series (name + labels without {@code le})
   * the cumulative count per upper bound, and the sum of the observations (seconds).
   */
  record Snapshot(Map<String, TreeMap<Double, Double>> buckets, Map<String, Double> sums) {

    /**
     * What was observed after {@code before}: each bucket's count minus the count {@code before}
     * had at that bound, each sum minus the sum before. A series that is new, that went down or
     * whose bounds changed (its meter was made again, or the service restarted) counts from zero.
     */
    Snapshot since(Snapshot before) {
      Map<String, TreeMap<Double, Double>> b = new TreeMap<>();
      Map<String, Double> s = new TreeMap<>();
      buckets.forEach((series, after) -> {
        TreeMap<Double, Double> old = before.buckets.get(series);
        if (old == null || total(old) > total(after) || !old.keySet().equals(after.keySet())) {
          b.put(series, new TreeMap<>(after));
          return;
        }
        TreeMap<Double, Double> diff = new TreeMap<>();
        after.forEach((bound, count) -> diff.put(bound, count - old.get(bound)));
        b.put(series, diff);
      });
      sums.forEach((series, after) -> {
        Double old = before.sums.get(series);
        s.put(series, old == null || old > after ? after : after - old);
      });
      return new Snapshot(b, s);
    }

    /** Prints each series' count and p50/p90/p99 (ms), as Prometheus' histogram_quantile. */
    void printQuantiles() {
      buckets.forEach((k, b) -> {
        if (total(b) == 0) {
          System.out.printf("  %s  n=0%n", k);
          return;
        }
        System.out.printf(
            "  %s  n=%.0f p50=%.3f p90=%.3f p99=%.3f ms%n",
            k,
            total(b),
            quantile(b, 0.5) * 1000,
            quantile(b, 0.9) * 1000,
            quantile(b, 0.99) * 1000);
      });
    }

    /** Prints each series' sum (ms): after one request, that request's own time per stage. */
    void printSums() {
      sums.forEach((k, seconds) -> System.out.printf("  %s  %.3f ms%n", k, seconds * 1000));
    }
  }

  /** The histograms named {@code prefix*} of the service at {@code port} now. */
  static Snapshot read(int port, String prefix) throws Exception {
    return parse(metrics(port), prefix);
  }

  /** The histograms named {@code prefix*} of a Prometheus text page. */
  static Snapshot parse(String page, String prefix) {
    Map<String, TreeMap<Double, Double>> buckets = new TreeMap<>();
    Map<String, Double> sums = new TreeMap<>();
    for (String line : page.split("\n")) {
      if (!line.startsWith(prefix) || line.indexOf('{') < 0) {
        continue;
      }
      String labels = line.substring(line.indexOf('{') + 1, line.indexOf('}'));
      double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      if (line.contains("_bucket{")) {
        String le = labels.replaceAll(".*le=\"([^\"]+)\".*", "$1");
        String key =
            line.substring(0, line.indexOf("_bucket{"))
                + " "
                + labels.replaceAll(",?le=\"[^\"]+\"", "");
        double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
        buckets.computeIfAbsent(key, k -> new TreeMap<>()).put(bound, value);
      } else if (line.contains("_sum{")) {
        sums.put(line.substring(0, line.indexOf("_sum{")) + " " + labels, value);
      }
    }
    return new Snapshot(buckets, sums);
  }

  /** The count of all observations of a cumulative histogram (its last bucket, +Inf). */
  static double total(TreeMap<Double, Double> cumulative) {
    return cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
  }

  /** histogram_quantile: linear interpolation inside the bucket that holds the rank. */
  static double quantile(TreeMap<Double, Double> cumulative, double q) {
    double total = total(cumulative);
    if (total == 0) {
      return Double.NaN;
    }
    double rank = q * total;
    double lower = 0;
    double below = 0;
    for (var e : cumulative.entrySet()) {
      if (e.getValue() >= rank) {
        if (e.getKey().isInfinite()) {
          return lower;
        }
        double inBucket = e.getValue() - below;
        return inBucket == 0
            ? e.getKey()
            : lower + (e.getKey() - lower) * (rank - below) / inBucket;
      }
      lower = e.getKey();
      below = e.getValue();
    }
    return lower;
  }

  /**
   * The service's {@code /q/metrics} (Prometheus text); the gateway's on its management port. Plain
   * HTTP/1.1 and bounded: the client's default (an h2c upgrade, no timeout) once left a crowd bench
   * waiting on the gateway's management port for minutes after the crowd was measured.
   */
  private static String metrics(int port) throws Exception {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + BenchServices.q(port) + "/q/metrics"))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
