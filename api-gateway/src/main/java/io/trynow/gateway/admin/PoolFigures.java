package io.trynow.gateway.admin;

import io.trynow.model.InstanceState;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.RequestRecord;
import io.trynow.platform.state.Store;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the dashboard shows per template besides the counts and the hit rate (an EWMA in Valkey),
 * computed from the instances alive now: queue wait = request to assignment of the assigned demos
 * (0 when taken warm); provision time = created to ready of the ready and assigned demos. At most
 * {@link #SAMPLE} instances per template are read.
 */
final class PoolFigures {

  static final int SAMPLE = 200;

  /** Figures of one template; null fields when there is nothing to measure. */
  record Figures(
      Double queueWaitP50, Double queueWaitP95, Double provisionP50, Double provisionP95) {}

  private PoolFigures() {}

  static Map<String, Figures> compute(Store store) {
    Map<String, List<Instance>> assigned = byTemplate(store.instances(InstanceState.ASSIGNED));
    Map<String, List<Instance>> ready = byTemplate(store.instances(InstanceState.READY));
    Map<String, Figures> out = new HashMap<>();
    java.util.Set<String> templates = new java.util.TreeSet<>(assigned.keySet());
    templates.addAll(ready.keySet());
    for (String t : templates) {
      List<Instance> a = assigned.getOrDefault(t, List.of());
      List<Double> waits = new ArrayList<>();
      for (Instance i : a) {
        if ("queue".equals(i.assignedVia())) {
          waits.add(queueWait(store, i));
        } else {
          waits.add(0.0);
        }
      }
      List<Double> provision = new ArrayList<>();
      for (Instance i : concat(a, ready.getOrDefault(t, List.of()))) {
        if (i.createdAt() != null && i.readyAt() != null) {
          provision.add(seconds(i.createdAt(), i.readyAt()));
        }
      }
      out.put(
          t,
          new Figures(
              quantile(waits, 0.5),
              quantile(waits, 0.95),
              quantile(provision, 0.5),
              quantile(provision, 0.95)));
    }
    return out;
  }

  private static double queueWait(Store store, Instance i) {
    if (i.requestId() == null || i.assignedAt() == null) {
      return 0.0;
    }
    return store
        .request(i.requestId())
        .map(RequestRecord::createdAt)
        .map(c -> seconds(c, i.assignedAt()))
        .orElse(0.0);
  }

  private static Map<String, List<Instance>> byTemplate(List<Instance> all) {
    Map<String, List<Instance>> m = new HashMap<>();
    for (Instance i : all) {
      List<Instance> l = m.computeIfAbsent(i.template(), k -> new ArrayList<>());
      if (l.size() < SAMPLE) {
        l.add(i);
      }
    }
    return m;
  }

  private static List<Instance> concat(List<Instance> a, List<Instance> b) {
    List<Instance> l = new ArrayList<>(a);
    l.addAll(b);
    return l;
  }

  private static double seconds(Instant from, Instant to) {
    return Math.max(0, Duration.between(from, to).toMillis()) / 1000.0;
  }

  /** Nearest-rank quantile; null for no samples. */
  static Double quantile(List<Double> values, double q) {
    if (values.isEmpty()) {
      return null;
    }
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    int rank = (int) Math.ceil(q * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }
}
