package io.trynow.platform.state;

import io.trynow.model.InstanceState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads the whole keyspace of one store in one atomic call and reports every broken invariant as a
 * readable line (empty list: consistent). Used by the store's tests and the chaos suite;
 * standalone, over any {@link Store}.
 *
 * <p>Invariants: each live id is in exactly the state sets (global and per template) of its
 * record's state and ended ones in none, with a TTL; every set member has a record in that state;
 * the ready list holds only ready ids of its template, once each, and every ready id; no instance
 * is held by two requests and no request holds two instances; every assigned instance has an expiry
 * no later than its max lifetime and sits in the expiry index with that score; queues hold exactly
 * the queued requests; the per-IP sets hold exactly the live requests of that IP; free + used ports
 * are the configured range, disjoint, each used port owned by a live instance holding it; leases
 * belong to claimed provisioning/terminating instances; optionally in-flight never above a
 * template's max.
 */
public final class ConsistencyChecker {

  private ConsistencyChecker() {}

  /** Every violation found (empty when consistent). */
  public static List<String> check(Store store) {
    return check(store, Map.of());
  }

  /** Every violation found, including in-flight counts above {@code maxInFlight} (per template). */
  public static List<String> check(Store store, Map<String, Integer> maxInFlight) {
    Reply r = store.client().call("snapshot", String.valueOf(System.currentTimeMillis()));
    return new Run(r).check(maxInFlight);
  }

  private static final class Run {
    final List<String> v = new ArrayList<>();
    final Map<String, Map<String, String>> inst = new HashMap<>();
    final Map<String, Long> instTtl = new HashMap<>();
    final Map<String, Map<String, String>> req = new HashMap<>();
    final Map<String, Long> reqTtl = new HashMap<>();
    final Map<String, Set<String>> stateSets = new HashMap<>();
    final Map<String, List<String>> tplKeys = new HashMap<>();
    final Map<String, Set<String>> ips = new HashMap<>();
    final Map<String, Double> expiry;
    final Map<String, Double> leases;
    final Set<String> free;
    final Map<String, String> used;
    final Integer first;
    final Integer last;
    final Set<String> templates;

    Run(Reply r) {
      for (Reply pair : r.get(1)) {
        Map<String, String> f = Decode.fields(pair.get(1));
        String id = f.get("id");
        if (id == null) {
          v.add("instance hash without id: " + f);
          continue;
        }
        inst.put(id, f);
        instTtl.put(id, Long.parseLong(pair.get(0).toString()));
      }
      for (Reply pair : r.get(2)) {
        Map<String, String> f = Decode.fields(pair.get(1));
        String id = f.get("id");
        if (id == null) {
          v.add("request hash without id: " + f);
          continue;
        }
        req.put(id, f);
        reqTtl.put(id, Long.parseLong(pair.get(0).toString()));
      }
      for (Reply pair : r.get(3)) {
        stateSets.put(pair.get(0).toString(), new HashSet<>(Decode.strings(pair.get(1))));
      }
      for (Reply pair : r.get(4)) {
        tplKeys.put(pair.get(0).toString(), Decode.strings(pair.get(1)));
      }
      for (Reply pair : r.get(5)) {
        ips.put(pair.get(0).toString(), new HashSet<>(Decode.strings(pair.get(1))));
      }
      expiry = scores(r.get(6));
      leases = scores(r.get(7));
      free = new HashSet<>(Decode.strings(r.get(8)));
      used = Decode.fields(r.get(9));
      Reply range = r.get(10);
      first = range.get(0) == null ? null : Integer.parseInt(range.get(0).toString());
      last = range.get(1) == null ? null : Integer.parseInt(range.get(1).toString());
      templates = new HashSet<>(Decode.strings(r.get(11)));
    }

    private static Map<String, Double> scores(Reply flat) {
      Map<String, Double> m = new HashMap<>();
      for (int i = 0; i + 1 < flat.size(); i += 2) {
        m.put(flat.get(i).toString(), Double.parseDouble(flat.get(i + 1).toString()));
      }
      return m;
    }

    List<String> check(Map<String, Integer> maxInFlight) {
      instances();
      stateSets();
      templateKeys(maxInFlight);
      assignments();
      requests();
      ports();
      leases();
      return v;
    }

    private InstanceState state(String id) {
      Map<String, String> f = inst.get(id);
      try {
        return f == null ? null : InstanceState.fromWire(f.get("state"));
      } catch (RuntimeException e) {
        return null;
      }
    }

    private void instances() {
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

    private void stateSets() {
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

    private void templateKeys(Map<String, Integer> maxInFlight) {
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

    private void assignments() {
      Map<String, String> holderOf = new HashMap<>();
      for (var e : req.entrySet()) {
        Map<String, String> q = e.getValue();
        if ("assigned".equals(q.get("state"))) {
          String iid = q.get("instance_id");
          if (iid == null) {
            v.add(e.getKey() + ": assigned request without instance");
            continue;
          }
          String prev = holderOf.put(iid, e.getKey());
          if (prev != null) {
            v.add(iid + " is held by two requests: " + prev + ", " + e.getKey());
          }
          if (state(iid) == InstanceState.ASSIGNED
              && !e.getKey().equals(inst.get(iid).get("request_id"))) {
            v.add(
                e.getKey()
                    + " holds "
                    + iid
                    + " but the instance names "
                    + inst.get(iid).get("request_id"));
          }
        }
      }
      for (var e : inst.entrySet()) {
        String id = e.getKey();
        Map<String, String> f = e.getValue();
        boolean assigned = state(id) == InstanceState.ASSIGNED;
        if (assigned) {
          long exp = num(f.get("expires_at"));
          long max = num(f.get("max_expires_at"));
          if (exp == 0 || max == 0) {
            v.add(id + ": assigned without expiry (" + exp + ", max " + max + ")");
          } else if (exp > max) {
            v.add(id + ": expiry " + exp + " past its max lifetime " + max);
          }
          Double score = expiry.get(id);
          if (score == null || score.longValue() != exp) {
            v.add(id + ": expiry index has " + score + ", record has " + exp);
          }
          String rid = f.get("request_id");
          Map<String, String> q = rid == null ? null : req.get(rid);
          if (q == null || !"assigned".equals(q.get("state")) || !id.equals(q.get("instance_id"))) {
            v.add(
                id
                    + ": assigned to "
                    + rid
                    + " which is "
                    + (q == null ? "missing" : q.get("state") + " -> " + q.get("instance_id")));
          }
          if (f.get("owner_token_hash") == null) {
            v.add(id + ": assigned without owner");
          }
        }
      }
      for (String id : expiry.keySet()) {
        if (state(id) != InstanceState.ASSIGNED) {
          v.add("expiry index holds " + id + " which is " + describe(id));
        }
      }
    }

    private void requests() {
      for (var e : req.entrySet()) {
        String rid = e.getKey();
        Map<String, String> q = e.getValue();
        if (reqTtl.get(rid) <= 0) {
          v.add(rid + ": request without TTL");
        }
        String st = q.get("state");
        if ("queued".equals(st)
            && !tplKeys
                .getOrDefault("t:" + q.get("template") + ":queue", List.of())
                .contains(rid)) {
          v.add(rid + ": queued but not in t:" + q.get("template") + ":queue");
        }
        boolean live =
            "queued".equals(st)
                || ("assigned".equals(st) && state(q.get("instance_id")) == InstanceState.ASSIGNED);
        boolean inIp = ips.getOrDefault(q.get("client_ip"), Set.of()).contains(rid);
        if (live != inIp) {
          v.add(
              rid
                  + " ("
                  + st
                  + "): "
                  + (live ? "missing from" : "still in")
                  + " ip:"
                  + q.get("client_ip"));
        }
      }
      for (var e : ips.entrySet()) {
        for (String rid : e.getValue()) {
          Map<String, String> q = req.get(rid);
          if (q == null || !e.getKey().equals(q.get("client_ip"))) {
            v.add(
                "ip:"
                    + e.getKey()
                    + " holds "
                    + rid
                    + " which is "
                    + (q == null ? "missing" : "of " + q.get("client_ip")));
          }
        }
      }
    }

    private void ports() {
      for (String p : free) {
        if (used.containsKey(p)) {
          v.add("port " + p + " is both free and used by " + used.get(p));
        }
        if (first != null && (Integer.parseInt(p) < first || Integer.parseInt(p) > last)) {
          v.add("free port " + p + " outside the range " + first + ".." + last);
        }
      }
      if (first != null) {
        for (int p = first; p <= last; p++) {
          String ps = String.valueOf(p);
          if (!free.contains(ps) && !used.containsKey(ps)) {
            v.add("port " + p + " is neither free nor used (leaked)");
          }
        }
      }
      for (var e : used.entrySet()) {
        String id = e.getValue();
        InstanceState st = state(id);
        if (st == null || !st.isLive() || !e.getKey().equals(inst.get(id).get("port"))) {
          v.add("port " + e.getKey() + " is used by " + id + " which is " + describe(id));
        }
      }
      for (var e : inst.entrySet()) {
        String p = e.getValue().get("port");
        InstanceState st = state(e.getKey());
        if (p != null && st != null && st.isLive() && !e.getKey().equals(used.get(p))) {
          v.add(
              e.getKey()
                  + " ("
                  + st.wire()
                  + ") holds port "
                  + p
                  + " but ports:used says "
                  + used.get(p));
        }
      }
    }

    private void leases() {
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

    private String describe(String id) {
      Map<String, String> f = inst.get(id);
      return f == null ? "missing" : Objects.toString(f.get("state")) + " of " + f.get("template");
    }

    private static long num(String s) {
      return s == null || s.isEmpty() ? 0 : Long.parseLong(s);
    }
  }
}
