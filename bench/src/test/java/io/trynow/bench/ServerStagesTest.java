package io.trynow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The arithmetic of the benches' server-side figures: a window's own buckets and quantiles. */
class ServerStagesTest {

  static final String DISPATCH = "trynow_gateway_acquire_stage_seconds stage=\"dispatch\"";
  static final String RESPOND = "trynow_gateway_acquire_stage_seconds stage=\"respond\"";

  /** A Micrometer Prometheus page: {@code dispatch} and {@code respond} with the given counts. */
  static String page(double[] dispatch, double dispatchSum, double[] respond, double respondSum) {
    StringBuilder p =
        new StringBuilder(
            "# HELP trynow_gateway_acquire_stage_seconds stages\n"
                + "# TYPE trynow_gateway_acquire_stage_seconds histogram\n"
                + "trynow_gateway_acquires_total{outcome=\"assigned\"} 9.0\n");
    series(p, "dispatch", dispatch, dispatchSum);
    if (respond != null) {
      series(p, "respond", respond, respondSum);
    }
    return p.toString();
  }

  static void series(StringBuilder p, String stage, double[] cumulative, double sum) {
    String[] le = {"0.001", "0.002", "0.005", "+Inf"};
    for (int i = 0; i < le.length; i++) {
      p.append("trynow_gateway_acquire_stage_seconds_bucket{stage=\"")
          .append(stage)
          .append("\",le=\"")
          .append(le[i])
          .append("\"} ")
          .append(cumulative[i])
          .append('\n');
    }
    String labels = "{stage=\"" + stage + "\"} ";
    p.append("trynow_gateway_acquire_stage_seconds_count")
        .append(labels)
        .append(cumulative[3])
        .append('\n');
    p.append("trynow_gateway_acquire_stage_seconds_sum").append(labels).append(sum).append('\n');
    p.append("trynow_gateway_acquire_stage_seconds_max").append(labels).append("0.4\n");
  }

  @Test
  void aPageGivesEachSeriesItsCumulativeBucketsAndSum() {
    ServerStages.Snapshot s =
        ServerStages.parse(
            page(new double[] {1, 3, 4, 5}, 0.25, new double[] {0, 0, 2, 2}, 0.008),
            ServerStages.GATEWAY);
    assertThat(s.buckets()).containsOnlyKeys(DISPATCH, RESPOND);
    assertThat(s.buckets().get(DISPATCH))
        .containsExactly(
            Map.entry(0.001, 1.0),
            Map.entry(0.002, 3.0),
            Map.entry(0.005, 4.0),
            Map.entry(Double.POSITIVE_INFINITY, 5.0));
    assertThat(s.sums()).containsOnly(Map.entry(DISPATCH, 0.25), Map.entry(RESPOND, 0.008));
  }

  @Test
  void theWindowHoldsOnlyWhatWasObservedAfterTheFirstRead() {
    // warm-up: 100 slow dispatches (above 5 ms); then the window: 10 fast ones (below 1 ms)
    ServerStages.Snapshot before =
        ServerStages.parse(page(new double[] {0, 0, 0, 100}, 2.0, null, 0), ServerStages.GATEWAY);
    ServerStages.Snapshot after =
        ServerStages.parse(
            page(new double[] {10, 10, 10, 110}, 2.005, new double[] {0, 1, 1, 1}, 0.0015),
            ServerStages.GATEWAY);

    ServerStages.Snapshot window = after.since(before);

    TreeMap<Double, Double> dispatch = window.buckets().get(DISPATCH);
    assertThat(ServerStages.total(dispatch)).isEqualTo(10);
    assertThat(dispatch.values()).containsExactly(10.0, 10.0, 10.0, 10.0);
    assertThat(ServerStages.quantile(dispatch, 0.99)).isLessThanOrEqualTo(0.001);
    assertThat(window.sums().get(DISPATCH)).isCloseTo(0.005, within(1e-9));
    // since the service started, the same page says the p50 is past 5 ms
    assertThat(ServerStages.quantile(after.buckets().get(DISPATCH), 0.5)).isEqualTo(0.005);
    // a series first seen in the window counts whole
    assertThat(ServerStages.total(window.buckets().get(RESPOND))).isEqualTo(1);
    assertThat(window.sums().get(RESPOND)).isEqualTo(0.0015);
  }

  @Test
  void aSeriesThatWentDownWasMadeAgainAndCountsFromZero() {
    ServerStages.Snapshot before =
        ServerStages.parse(
            page(new double[] {50, 50, 50, 50}, 0.02, null, 0), ServerStages.GATEWAY);
    ServerStages.Snapshot after =
        ServerStages.parse(page(new double[] {0, 2, 3, 3}, 0.006, null, 0), ServerStages.GATEWAY);

    ServerStages.Snapshot window = after.since(before);

    assertThat(window.buckets().get(DISPATCH).values()).containsExactly(0.0, 2.0, 3.0, 3.0);
    assertThat(window.sums().get(DISPATCH)).isEqualTo(0.006);
  }

  @Test
  void aSeriesWhoseBoundsChangedWasMadeAgainAndCountsFromZero() {
    TreeMap<Double, Double> before =
        new TreeMap<>(Map.of(0.001, 4.0, Double.POSITIVE_INFINITY, 6.0));
    TreeMap<Double, Double> after =
        new TreeMap<>(Map.of(0.001, 5.0, 0.002, 8.0, Double.POSITIVE_INFINITY, 9.0));
    ServerStages.Snapshot window =
        new ServerStages.Snapshot(Map.of("s", after), Map.of())
            .since(new ServerStages.Snapshot(Map.of("s", before), Map.of()));
    assertThat(window.buckets().get("s")).isEqualTo(after);
  }

  @Test
  void quantilesInterpolateInsideTheBucketThatHoldsTheRank() {
    TreeMap<Double, Double> c =
        new TreeMap<>(Map.of(0.001, 0.0, 0.002, 10.0, 0.005, 20.0, Double.POSITIVE_INFINITY, 20.0));
    assertThat(ServerStages.quantile(c, 0.5)).isCloseTo(0.002, within(1e-12));
    assertThat(ServerStages.quantile(c, 0.25)).isCloseTo(0.0015, within(1e-12));
    assertThat(ServerStages.quantile(c, 0.75)).isCloseTo(0.0035, within(1e-12));
    // a rank in +Inf: the highest finite bound, as histogram_quantile
    TreeMap<Double, Double> tail =
        new TreeMap<>(Map.of(0.001, 1.0, Double.POSITIVE_INFINITY, 10.0));
    assertThat(ServerStages.quantile(tail, 0.99)).isEqualTo(0.001);
    assertThat(ServerStages.quantile(new TreeMap<>(Map.of(0.001, 0.0)), 0.5)).isNaN();
  }
}
