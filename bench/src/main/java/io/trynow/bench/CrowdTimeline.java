package io.trynow.bench;

import io.trynow.model.InstanceState;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.RequestRecord;
import io.trynow.platform.state.Store;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a flash crowd's time goes: one line per queued visitor, in queue order, with the moments of
 * the instance that served it, from the store's records ({@code created_at} = requested by the
 * replenisher, {@code started_at} = healthy and {@code mark_started}, {@code assigned_at} = route
 * confirmed in Caddy and handed over), the engine's own ({@code docker inspect}: container created,
 * process started) and the visitor's (saw {@code assigned}, page 200). Then each stage's spread,
 * how many containers the engine had in its hands on average (the pacing: ideally max-in-flight),
 * and the k-th instance healthy next to the k-th container of the raw floor.
 *
 * <p>All times are wall-clock ms after the first click (store, engine and bench share one clock).
 */
final class CrowdTimeline {

  /** One queued visitor and the instance that served it. */
  record Row(
      int position,
      String instance,
      double requested,
      double containerCreated,
      double containerStarted,
      double healthy,
      double handed,
      double seen,
      double page) {}

  private CrowdTimeline() {}

  /** Prints the timeline; best effort (a missing record or container leaves a blank). */
  static void print(
      Store store, List<Visitor.Visit> visits, List<Double> floorCurveSeconds, int parallel)
      throws Exception {
    long t0 = visits.stream().mapToLong(Visitor.Visit::clickEpochMs).min().orElse(0);
    List<Visitor.Visit> queued = new ArrayList<>();
    for (Visitor.Visit v : visits) {
      if (!v.warm() && v.requestId() != null) {
        queued.add(v);
      }
    }
    Map<String, Instance> instances = new HashMap<>();
    for (InstanceState s :
        List.of(
            InstanceState.REQUESTED,
            InstanceState.PROVISIONING,
            InstanceState.STARTED,
            InstanceState.READY,
            InstanceState.ASSIGNED)) {
      for (Instance i : store.instances(s)) {
        instances.put(i.id(), i);
      }
    }
    Map<String, double[]> engine = inspect(instances.values(), t0);
    List<Row> rows = new ArrayList<>();
    for (Visitor.Visit v : queued) {
      Optional<RequestRecord> r = store.request(v.requestId());
      Instance i = instances.get(v.id());
      double[] e = i == null ? null : engine.get(i.containerName());
      rows.add(
          new Row(
              (int) r.map(RequestRecord::position).orElse(0L).longValue(),
              v.id(),
              at(i == null ? null : i.createdAt(), t0),
              e == null ? Double.NaN : e[0],
              e == null ? Double.NaN : e[1],
              at(i == null ? null : i.startedAt(), t0),
              at(i == null ? null : i.assignedAt(), t0),
              v.clickEpochMs() - t0 + v.assignedMs(),
              v.clickEpochMs() - t0 + v.pageMs()));
    }
    rows.sort(Comparator.comparingDouble(Row::handed));
    System.out.println(
        "timeline of the queued visitors (ms after the first click; in hand-over order):");
    System.out.printf(
        "  %-3s %-14s %9s %9s %9s %9s %9s %9s %9s%n",
        "#", "instance", "requested", "created", "started", "healthy", "handed", "seen", "page");
    int n = 0;
    for (Row w : rows) {
      System.out.printf(
          "  %-3d %-14s %9s %9s %9s %9s %9s %9s %9s%n",
          ++n,
          w.instance(),
          f(w.requested()),
          f(w.containerCreated()),
          f(w.containerStarted()),
          f(w.healthy()),
          f(w.handed()),
          f(w.seen()),
          f(w.page()));
    }
    stage("requested -> container created", rows, Row::requested, Row::containerCreated);
    stage(
        "container created -> process started", rows, Row::containerCreated, Row::containerStarted);
    stage("process started -> healthy (mark_started)", rows, Row::containerStarted, Row::healthy);
    stage("healthy -> route confirmed, handed", rows, Row::healthy, Row::handed);
    stage("handed -> visitor saw assigned", rows, Row::handed, Row::seen);
    stage("visitor saw assigned -> page 200", rows, Row::seen, Row::page);
    pacing(instances.values(), engine, t0, parallel);
    curve(instances.values(), t0, floorCurveSeconds);
  }

  /** Per container name: created and process-started, ms after t0 (one docker inspect call). */
  private static Map<String, double[]> inspect(Iterable<Instance> instances, long t0)
      throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "docker", "inspect", "--format", "{{.Name}} {{.Created}} {{.State.StartedAt}}"));
    for (Instance i : instances) {
      if (i.containerName() != null && !i.containerName().isEmpty()) {
        cmd.add(i.containerName());
      }
    }
    Map<String, double[]> out = new HashMap<>();
    if (cmd.size() == 4) {
      return out;
    }
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String text = new String(p.getInputStream().readAllBytes());
    p.waitFor();
    for (String line : text.split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length == 3) {
        out.put(
            f[0].replaceFirst("^/", ""),
            new double[] {
              Instant.parse(f[1]).toEpochMilli() - t0, Instant.parse(f[2]).toEpochMilli() - t0
            });
      }
    }
    return out;
  }

  /**
   * How many provisions the pipeline had going on average between the first click and the last
   * instance healthy: requested -> healthy (the replenisher's in-flight count) and container
   * created -> healthy (the engine's own work).
   */
  private static void pacing(
      Iterable<Instance> instances, Map<String, double[]> engine, long t0, int parallel) {
    double end = 0;
    double inFlight = 0;
    double inEngine = 0;
    int n = 0;
    for (Instance i : instances) {
      double healthy = at(i.startedAt(), t0);
      double requested = at(i.createdAt(), t0);
      if (Double.isNaN(healthy) || Double.isNaN(requested) || healthy < 0) {
        continue;
      }
      n++;
      end = Math.max(end, healthy);
      inFlight += healthy - Math.max(0, requested);
      double[] e = engine.get(i.containerName());
      if (e != null) {
        inEngine += healthy - Math.max(0, e[0]);
      }
    }
    if (end > 0) {
      System.out.printf(
          "pacing: %d instances healthy within %.0f ms of the first click; on average %.2f"
              + " requested..healthy and %.2f container created..healthy at once (max-in-flight"
              + " %d)%n",
          n, end, inFlight / end, inEngine / end, parallel);
    }
  }

  /** The k-th instance healthy after the first click next to the k-th container of the floor. */
  private static void curve(Iterable<Instance> instances, long t0, List<Double> floorSeconds) {
    List<Double> healthy = new ArrayList<>();
    for (Instance i : instances) {
      double h = at(i.startedAt(), t0);
      if (!Double.isNaN(h) && h >= 0) {
        healthy.add(h);
      }
    }
    Collections.sort(healthy);
    StringBuilder sb = new StringBuilder("k-th healthy, trynow vs floor (s):");
    for (int k = 10; k <= floorSeconds.size(); k += 10) {
      sb.append(
          String.format(
              "  %d: %s / %.2f",
              k,
              k <= healthy.size() ? String.format("%.2f", healthy.get(k - 1) / 1000) : "-",
              floorSeconds.get(k - 1)));
    }
    System.out.println(sb);
  }

  private interface Moment {
    double of(Row r);
  }

  private static void stage(String name, List<Row> rows, Moment from, Moment to) {
    List<Double> d = new ArrayList<>();
    for (Row r : rows) {
      double x = to.of(r) - from.of(r);
      if (!Double.isNaN(x)) {
        d.add(x);
      }
    }
    CrowdBench.line("  " + name, d);
  }

  private static double at(Instant i, long t0) {
    return i == null ? Double.NaN : i.toEpochMilli() - t0;
  }

  private static String f(double ms) {
    return Double.isNaN(ms) ? "-" : String.format("%.0f", ms);
  }
}
