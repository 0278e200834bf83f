package io.trynow.platform.state;

import io.trynow.model.InstanceState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  /**
   * The invariants of assignments (one holder each, expiry within the max lifetime and indexed),
   * requests (queues, per-IP sets, TTLs) and ports (free + used = the range, each used port owned).
   */
  private static final class Run extends InstanceInvariants {

    Run(Reply r) {
      super(r);
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
  }
}
