package io.trynow.platform.state;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Valkey Function library: {@code lib.lua} (helpers) followed by one {@code .lua} file per
 * function, all resources next to this class. The library and function names carry a hash of the
 * source ({@code trynow_<v>}, {@code trynow_<v>_<name>}), so services built from different commits
 * can share one Valkey without replacing each other's functions.
 */
final class Library {

  /** The function files, in load order after {@code lib.lua}. */
  static final List<String> FILES =
      List.of(
          "init_ports",
          "acquire",
          "reserve_provision",
          "claim_provision",
          "renew_lease",
          "allocate_port",
          "mark_started",
          "mark_ready",
          "mark_failed",
          "extend",
          "release",
          "claim_expired",
          "claim_terminate",
          "mark_terminated",
          "force_terminate",
          "expire_waiting",
          "cancel_request",
          "abandon_request",
          "rate_limit",
          "rate_limit_refund",
          "acquire_ready",
          "reclaim_ports",
          "circuit_image",
          "drop_unavailable",
          "observe_demand",
          "set_pool_target",
          "retire_surplus",
          "queue_moves",
          "provision_rate",
          "place_instance",
          "host_down",
          "recycle_ready",
          "sse_open",
          "sse_renew",
          "sse_close",
          "discard_claim",
          "serve_queue",
          "claim_checked",
          "reads",
          "release_claims",
          "repair_instance_indexes",
          "repair_request_indexes");

  private static final Pattern READ_FN = Pattern.compile("read_fn\\('([a-z_]+)'");

  private final String version;
  private final String source;
  private final Set<String> readOnly;

  private Library(String version, String source) {
    this.version = version;
    this.source = source;
    Set<String> ro = new HashSet<>();
    Matcher m = READ_FN.matcher(source);
    while (m.find()) {
      ro.add(m.group(1));
    }
    this.readOnly = Set.copyOf(ro);
  }

  static Library fromResources() {
    StringBuilder sb = new StringBuilder(read("lib.lua"));
    for (String f : FILES) {
      sb.append("\n-- ==== ").append(f).append(".lua ====\n").append(read(f + ".lua"));
    }
    String raw = sb.toString();
    String version = sha1(raw).substring(0, 10);
    return new Library(version, raw.replace("@VERSION@", version));
  }

  /** Short hash of the source. */
  String version() {
    return version;
  }

  /** The library text for {@code FUNCTION LOAD REPLACE}. */
  String source() {
    return source;
  }

  /**
   * True for a function registered with {@code read_fn} (flag {@code no-writes}): it changes
   * nothing, so the store does not wait for replicas after it.
   */
  boolean isReadOnly(String name) {
    return readOnly.contains(name);
  }

  /** The registered name of function {@code name}. */
  String function(String name) {
    return "trynow_" + version + "_" + name;
  }

  private static String read(String file) {
    try (InputStream in = Library.class.getResourceAsStream(file)) {
      if (in == null) {
        throw new IllegalStateException("missing Lua resource " + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha1(String s) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
