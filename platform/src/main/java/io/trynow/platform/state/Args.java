package io.trynow.platform.state;

import java.time.Duration;
import java.util.regex.Pattern;

/** Argument checks shared by the store's inputs; the Lua functions check the same again. */
final class Args {

  private Args() {}

  /** Token hashes: hex or base64url, 16–128 characters. */
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_=+/-]{16,128}");

  /** IPv4 or IPv6 text (no spaces, no key separators beyond ':'), at most 64 characters. */
  private static final Pattern IP = Pattern.compile("[0-9A-Fa-f.:]{2,64}");

  static String requireToken(String s, String name) {
    if (s == null || !TOKEN.matcher(s).matches()) {
      throw new IllegalArgumentException(name + " must be a token hash (16-128 chars)");
    }
    return s;
  }

  static String requireIp(String s) {
    if (s == null || !IP.matcher(s).matches()) {
      throw new IllegalArgumentException("clientIp must be an IPv4 or IPv6 address");
    }
    return s;
  }

  static Duration requirePositive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
    return d;
  }

  static int requireNotNegative(int n, String name) {
    if (n < 0) {
      throw new IllegalArgumentException(name + " must be >= 0");
    }
    return n;
  }

  static long requireFence(long fence) {
    if (fence < 1) {
      throw new IllegalArgumentException("fence must be >= 1 (the token of a claim)");
    }
    return fence;
  }

  static String ms(Duration d) {
    return String.valueOf(d.toMillis());
  }

  static int requireMax(int max) {
    if (max < 1 || max > 1000) {
      throw new IllegalArgumentException("max must be 1..1000");
    }
    return max;
  }

  /** A failure reason as stored: stripped, "unknown" when blank, at most 500 characters. */
  static String errorText(String s) {
    String t = s == null || s.isBlank() ? "unknown" : s.strip();
    return t.length() > 500 ? t.substring(0, 500) : t;
  }
}
