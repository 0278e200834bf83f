package io.trynow.platform.state;

import io.trynow.model.InstanceState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The invariants of the instance records and their indexes: each live id in exactly the state sets
 * of its record's state (ended ones in none, with a TTL), every set member backed by a record, the
 * per-template sets and ready lists, in-flight counts, and the lease index.
 */
abstract class InstanceInvariants extends ConsistencySnapshot {

  InstanceInvariants(Reply r) {
    super(r);
  }

  void instances() {
    for (var e : inst.entrySet()) {
      String id = e.getKey();
      Map<String, String> f = e.getValue();
      InstanceState st = state(id);
      if (st == null) {
        v.add(id + ": unknown state " + f.get("state"));
        continue;
      }
      if (num(f.get("version")) < 1) {
        v.add(id + ": version " + f.get("version"));
      }
      String tpl = f.get("template");
      for (InstanceState s : InstanceState.values()) {
        if (!s.isLive()) {
          continue;
        }
        boolean inGlobal = stateSets.getOrDefault(s.wire(), Set.of()).contains(id);
        boolean inTpl = tplKeys.getOrDefault("t:" + tpl + ":" + s.wire(), List.of()).contains(id);
        boolean should = s == st;
        if (inGlobal != should) {
          v.add(
              id
                  + " ("
                  + st.wire()
                  + "): "
                  + (should ? "missing from" : "also in")
                  + " state:"
                  + s.wire());
        }
        if (inTpl != should) {
          v.add(
              id
                  + " ("
                  + st.wire()
                  + "): "
                  + (should ? "missing from" : "also in")
                  + " t:"
                  + tpl
                  + ":"
                  + s.wire());
        }
      }
      if (st.isLive()) {
        if (instTtl.get(id) != -1) {
          v.add(id + " (" + st.wire() + "): live record has a TTL");
        }
        if (!templates.contains(tpl)) {
          v.add(id + ": template " + tpl + " not in the templates set");
        }
      } else if (instTtl.get(id) <= 0) {
        v.add(id + " (" + st.wire() + "): tombstone without TTL");
      }
      if (st == InstanceState.STARTED
          || st == InstanceState.READY
          || st == InstanceState.ASSIGNED) {
        if (num(f.get("port")) == 0) {
          v.add(id + " (" + st.wire() + "): no port");
        }
      }
    }
  }

  void stateSets() {
    for (var e : stateSets.entrySet()) {
      for (String id : e.getValue()) {
        InstanceState st = state(id);
        if (st == null || !st.wire().equals(e.getKey())) {
          v.add(
              "state:"
                  + e.getKey()
                  + " holds "
                  + id
                  + " whose record is "
                  + (st == null ? "missing" : st.wire()));
        }
      }
    }
  }

  void templateKeys(Map<String, Integer> maxInFlight) {
    Map<String, Integer> inFlight = new HashMap<>();
    for (var e : tplKeys.entrySet()) {
      String[] parts = e.getKey().split(":");
      if (parts.length != 3) {
        v.add("unexpected key " + e.getKey());
        continue;
      }
      String tpl = parts[1];
      String kind = parts[2];
      List<String> members = e.getValue();
      if (kind.equals("readylist")) {
        if (new HashSet<>(members).size() != members.size()) {
          v.add("t:" + tpl + ":readylist holds an id twice: " + members);
        }
        for (String id : members) {
          if (state(id) != InstanceState.READY || !tpl.equals(inst.get(id).get("template"))) {
            v.add("t:" + tpl + ":readylist holds " + id + " which is " + describe(id));
          }
        }
      } else if (kind.equals("queue")) {
        if (new HashSet<>(members).size() != members.size()) {
          v.add("t:" + tpl + ":queue holds a request twice");
        }
        for (String rid : members) {
          Map<String, String> q = req.get(rid);
          if (q == null || !"queued".equals(q.get("state")) || !tpl.equals(q.get("template"))) {
            v.add(
                "t:"
                    + tpl
                    + ":queue holds "
                    + rid
                    + " which is "
                    + (q == null ? "missing" : q.get("state")));
          }
        }
      } else {
        for (String id : members) {
          if (state(id) == null
              || !state(id).wire().equals(kind)
              || !tpl.equals(inst.get(id).get("template"))) {
            v.add(e.getKey() + " holds " + id + " which is " + describe(id));
          }
        }
        // max-in-flight caps the engine's work: requested + provisioning (reserve_provision)
        if (kind.equals("requested") || kind.equals("provisioning")) {
          inFlight.merge(tpl, members.size(), Integer::sum);
        }
      }
    }
    for (var e : inst.entrySet()) {
      if (state(e.getKey()) == InstanceState.READY) {
        String tpl = e.getValue().get("template");
        if (!tplKeys.getOrDefault("t:" + tpl + ":readylist", List.of()).contains(e.getKey())) {
          v.add(e.getKey() + " is ready but not in t:" + tpl + ":readylist");
        }
      }
    }
    for (var e : maxInFlight.entrySet()) {
      int n = inFlight.getOrDefault(e.getKey(), 0);
      if (n > e.getValue()) {
        v.add(e.getKey() + ": " + n + " in flight, max " + e.getValue());
      }
    }
  }

  void leases() {
    for (var e : leases.entrySet()) {
      String id = e.getKey();
      InstanceState st = state(id);
      if (st != InstanceState.PROVISIONING && st != InstanceState.TERMINATING) {
        v.add("leases holds " + id + " which is " + describe(id));
      } else if (num(inst.get(id).get("lease_until")) != e.getValue().longValue()) {
        v.add(
            id
                + ": lease index "
                + e.getValue().longValue()
                + " vs record "
                + inst.get(id).get("lease_until"));
      }
    }
    for (var e : inst.entrySet()) {
      InstanceState st = state(e.getKey());
      if ((st == InstanceState.PROVISIONING || st == InstanceState.TERMINATING)
          && num(e.getValue().get("lease_until")) > 0
          && !leases.containsKey(e.getKey())) {
        v.add(e.getKey() + " (" + st.wire() + ") has a lease but is not in the lease index");
      }
      if (st == InstanceState.PROVISIONING && num(e.getValue().get("lease_until")) == 0) {
        v.add(e.getKey() + ": provisioning without a lease");
      }
    }
  }
}
