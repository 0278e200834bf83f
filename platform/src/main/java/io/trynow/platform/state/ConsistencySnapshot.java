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
 * The whole keyspace of one store as read by the {@code snapshot} function in one atomic call,
 * parsed into maps, and the violations found in it so far. The invariants are checked by {@link
 * InstanceInvariants} and {@link ConsistencyChecker}.
 */
abstract class ConsistencySnapshot {
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

  ConsistencySnapshot(Reply r) {
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

  static Map<String, Double> scores(Reply flat) {
    Map<String, Double> m = new HashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      m.put(flat.get(i).toString(), Double.parseDouble(flat.get(i + 1).toString()));
    }
    return m;
  }

  InstanceState state(String id) {
    Map<String, String> f = inst.get(id);
    try {
      return f == null ? null : InstanceState.fromWire(f.get("state"));
    } catch (RuntimeException e) {
      return null;
    }
  }

  String describe(String id) {
    Map<String, String> f = inst.get(id);
    return f == null ? "missing" : Objects.toString(f.get("state")) + " of " + f.get("template");
  }

  static long num(String s) {
    return s == null || s.isEmpty() ? 0 : Long.parseLong(s);
  }
}
