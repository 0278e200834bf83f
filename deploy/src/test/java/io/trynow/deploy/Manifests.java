package io.trynow.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/** Rendered Kubernetes manifests: the raw text and the parsed documents. */
record Manifests(String text, List<Map<String, Object>> docs) {

  List<Map<String, Object>> ofKind(String kind) {
    return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
  }

  Map<String, Object> get(String kind, String name) {
    return find(kind, name)
        .orElseThrow(() -> new NoSuchElementException(kind + " " + name + " not rendered"));
  }

  java.util.Optional<Map<String, Object>> find(String kind, String name) {
    return ofKind(kind).stream()
        .filter(d -> name.equals(Tree.string(d, "metadata", "name")))
        .findFirst();
  }

  /** Every pod spec of a workload (Deployment, StatefulSet, DaemonSet, Job). */
  List<Map<String, Object>> podSpecs() {
    List<Map<String, Object>> specs = new ArrayList<>();
    for (String kind : List.of("Deployment", "StatefulSet", "DaemonSet", "Job")) {
      for (Map<String, Object> w : ofKind(kind)) {
        specs.add(Tree.map(w, "spec", "template", "spec"));
      }
    }
    return specs;
  }

  /** Every container and init container of every workload. */
  List<Map<String, Object>> containers() {
    List<Map<String, Object>> all = new ArrayList<>();
    for (Map<String, Object> spec : podSpecs()) {
      all.addAll(Tree.maps(spec, "containers"));
      all.addAll(Tree.maps(spec, "initContainers"));
    }
    return all;
  }
}
