package io.trynow.platform.state;

import io.trynow.model.InstanceState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Turns the functions' replies (arrays of strings, first the status) into records. */
final class Decode {

  private Decode() {}

  static String status(Reply r) {
    return str(r, 0);
  }

  static String str(Reply r, int i) {
    Reply e = r.get(i);
    return e == null ? null : e.toString();
  }

  static long lng(Reply r, int i) {
    return Long.parseLong(str(r, i));
  }

  static boolean flag(Reply r, int i) {
    return "1".equals(str(r, i));
  }

  static Instant time(Reply r, int i) {
    return ms(str(r, i));
  }

  /** A flat field/value array (HGETALL) to a map. */
  static Map<String, String> fields(Reply flat) {
    Map<String, String> m = new HashMap<>();
    if (flat == null) {
      return m;
    }
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      m.put(flat.get(i).toString(), flat.get(i + 1).toString());
    }
    return m;
  }

  static Instance instance(Reply flat) {
    return instance(fields(flat));
  }

  static Instance instance(Map<String, String> f) {
    return new Instance(
        f.get("id"),
        f.get("template"),
        InstanceState.fromWire(f.get("state")),
        num(f.get("version")),
        (int) num(f.get("port")),
        f.get("container_name"),
        f.get("url"),
        f.get("owner_token_hash"),
        f.get("request_id"),
        f.get("client_ip"),
        ms(f.get("created_at")),
        ms(f.get("started_at")),
        ms(f.get("ready_at")),
        ms(f.get("assigned_at")),
        ms(f.get("expires_at")),
        ms(f.get("max_expires_at")),
        ms(f.get("ended_at")),
        f.get("last_error"),
        num(f.get("fence")),
        ms(f.get("lease_until")),
        f.get("assigned_via"),
        f.get("host"));
  }

  static RequestRecord request(Reply flat, long position) {
    return request(fields(flat), position);
  }

  static RequestRecord request(Map<String, String> f, long position) {
    return new RequestRecord(
        f.get("id"),
        f.get("template"),
        RequestState.fromWire(f.get("state")),
        f.get("instance_id"),
        f.get("client_ip"),
        f.get("owner_token_hash"),
        ms(f.get("created_at")),
        ms(f.get("assigned_at")),
        ms(f.get("ended_at")),
        position,
        "1".equals(f.get("checking")),
        f.get("ended_reason"));
  }

  static Circuit circuit(String template, Reply flat) {
    Map<String, String> f = fields(flat);
    return new Circuit(
        template,
        Circuit.State.fromWire(f.get("state")),
        num(f.get("failures")),
        num(f.get("trips")),
        ms(f.get("open_until")),
        blank(f.get("reason")),
        blank(f.get("last_error")),
        ms(f.get("last_error_at")),
        blank(f.get("probe")),
        ms(f.get("changed_at")));
  }

  private static String blank(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  static List<Instance> instances(Reply arrayOfFlat) {
    List<Instance> out = new ArrayList<>(arrayOfFlat.size());
    for (Reply flat : arrayOfFlat) {
      out.add(instance(flat));
    }
    return out;
  }

  static List<String> strings(Reply array) {
    List<String> out = new ArrayList<>(array == null ? 0 : array.size());
    if (array != null) {
      for (Reply e : array) {
        out.add(e.toString());
      }
    }
    return out;
  }

  static PoolStats stats(String template, Reply r, int from) {
    return new PoolStats(
        template,
        lng(r, from),
        lng(r, from + 1),
        lng(r, from + 2),
        lng(r, from + 3),
        lng(r, from + 4),
        lng(r, from + 5),
        lng(r, from + 6));
  }

  /** Unexpected reply: a bug in the library or its caller, never an expected outcome. */
  static StoreException unexpected(String function, Reply r) {
    return new StoreException("unexpected reply from " + function + ": " + r);
  }

  private static long num(String s) {
    return s == null || s.isEmpty() ? 0 : Long.parseLong(s);
  }

  private static Instant ms(String s) {
    if (s == null || s.isEmpty() || s.equals("0")) {
      return null;
    }
    return Instant.ofEpochMilli(Long.parseLong(s));
  }

  static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** The reply of a claim function. */
  static ClaimResult claim(Reply r, String id, String fn) {
    return switch (status(r)) {
      case "claimed" -> new ClaimResult.Claimed(instance(r.get(1)));
      case "busy" -> new ClaimResult.Busy(id, time(r, 1));
      case "not_found" -> new NotFound(id);
      case "wrong_state" -> new WrongState(id, InstanceState.fromWire(str(r, 1)));
      default -> throw unexpected(fn, r);
    };
  }

  /** The reply of a fenced transition (a write under a claim). */
  static FencedResult fenced(Reply r, String id, String fn) {
    return switch (status(r)) {
      case "ok" -> new Changed(instance(r.get(2)), flag(r, 1));
      case "not_found" -> new NotFound(id);
      case "wrong_state" -> new WrongState(id, InstanceState.fromWire(str(r, 1)));
      case "stale_fence" -> new StaleFence(id, lng(r, 1));
      default -> throw unexpected(fn, r);
    };
  }
}
