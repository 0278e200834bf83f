package io.trynow.bench;

import java.util.ArrayList;
import java.util.List;

/** Records into a {@link Stats} and keeps the samples for a median of its own. */
final class Samples {
  final Stats stats;
  final List<Long> nanos = new ArrayList<>();

  Samples(String name) {
    stats = new Stats(name);
  }

  void record(long n) {
    stats.record(n);
    nanos.add(n);
  }

  double medianMillis() {
    List<Long> sorted = nanos.stream().sorted().toList();
    int k = sorted.size();
    double m = k % 2 == 1 ? sorted.get(k / 2) : (sorted.get(k / 2 - 1) + sorted.get(k / 2)) / 2.0;
    return m / 1e6;
  }
}
