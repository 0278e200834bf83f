package io.trynow.systemtests;

import com.github.dockerjava.api.model.Container;
import io.trynow.model.InstanceState;
import io.trynow.model.Labels;
import io.trynow.platform.state.ConsistencyChecker;
import io.trynow.platform.state.Instance;
import io.trynow.platform.state.Store;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether a stack has settled: Valkey's invariants hold (the store's consistency checker), nothing
 * is stuck half-way, and Valkey, Docker and Caddy agree one-to-one — every live instance has
 * exactly one running container and one route, and no container or route exists without one.
 */
public final class Convergence {

  private static final List<InstanceState> SERVING =
      List.of(InstanceState.STARTED, InstanceState.READY, InstanceState.ASSIGNED);
  private static final List<InstanceState> IN_BETWEEN =
      List.of(InstanceState.REQUESTED, InstanceState.PROVISIONING, InstanceState.TERMINATING);

  private Convergence() {}

  /** Every disagreement found now (empty: settled). */
  public static List<String> problems(Stack stack) {
    Store store = stack.store();
    List<String> p = new ArrayList<>(ConsistencyChecker.check(store));

    Map<String, Instance> live = new HashMap<>();
    for (InstanceState s : SERVING) {
      store.instances(s).forEach(i -> live.put(i.id(), i));
    }
    for (InstanceState s : IN_BETWEEN) {
      List<String> ids = store.ids(s);
      if (!ids.isEmpty()) {
        p.add("instances still " + s.wire() + ": " + ids);
      }
    }

    Map<String, Container> containers = new HashMap<>();
    for (Container c : stack.containers()) {
      String id = c.getLabels().get(Labels.INSTANCE);
      if (!"running".equals(c.getState())) {
        p.add("container " + name(c) + " is " + c.getState());
      }
      if (containers.put(id, c) != null) {
        p.add("two containers for instance " + id);
      }
    }
    for (String id : live.keySet()) {
      if (!containers.containsKey(id)) {
        p.add("live instance " + id + " (" + live.get(id).state().wire() + ") has no container");
      }
    }
    for (String id : containers.keySet()) {
      if (!live.containsKey(id)) {
        p.add("orphaned container " + name(containers.get(id)) + " (no live instance)");
      }
    }

    List<String> routeIds = stack.routeIds();
    Set<String> seen = new HashSet<>();
    for (String r : routeIds) {
      if (!seen.add(r)) {
        p.add("duplicate route @id " + r);
      }
    }
    if (!routeIds.isEmpty() && !routeIds.get(routeIds.size() - 1).equals("trynow-not-found")) {
      p.add("catch-all 404 route is not last: " + routeIds);
    }
    TreeSet<String> routed = stack.routedInstanceIds();
    for (String id : live.keySet()) {
      if (!routed.contains(id)) {
        p.add("live instance " + id + " has no route");
      }
    }
    for (String id : routed) {
      if (!live.containsKey(id)) {
        p.add("dangling route for " + id);
      }
    }

    Set<Integer> ports = new HashSet<>();
    for (Instance i : live.values()) {
      if (!ports.add(i.port())) {
        p.add("port " + i.port() + " held by two live instances");
      }
    }
    return p;
  }

  private static String name(Container c) {
    return c.getNames() == null || c.getNames().length == 0 ? c.getId() : c.getNames()[0];
  }
}
