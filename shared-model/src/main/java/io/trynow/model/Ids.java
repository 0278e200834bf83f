package io.trynow.model;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * Identifier formats. Instance ids are DNS labels (they become {@code <id>.<demo domain>}); every
 * id that reaches a subject, a key or a container name has passed one of these checks.
 */
public final class Ids {

  private Ids() {}

  /** Instance id: {@code i} + 19 lower-case base32 characters (95 random bits). */
  public static final Pattern INSTANCE = Pattern.compile("i[a-z2-7]{19}");

  /** Request id: {@code r} + 25 lower-case base32 characters. */
  public static final Pattern REQUEST = Pattern.compile("r[a-z2-7]{25}");

  /** Template name: a DNS-label-like name. */
  public static final Pattern TEMPLATE = Pattern.compile("[a-z][a-z0-9-]{0,30}[a-z0-9]|[a-z]");

  /** Docker host name in the host registry (the instance record's {@code host}). */
  public static final Pattern HOST = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

  public static String newInstanceId() {
    return "i" + random(19);
  }

  public static String newRequestId() {
    return "r" + random(25);
  }

  private static String random(int n) {
    char[] c = new char[n];
    for (int i = 0; i < n; i++) {
      c[i] = BASE32[RANDOM.nextInt(32)];
    }
    return new String(c);
  }

  public static boolean isInstance(String s) {
    return s != null && INSTANCE.matcher(s).matches();
  }

  public static boolean isRequest(String s) {
    return s != null && REQUEST.matcher(s).matches();
  }

  public static boolean isTemplate(String s) {
    return s != null && TEMPLATE.matcher(s).matches();
  }

  public static boolean isHost(String s) {
    return s != null && HOST.matcher(s).matches();
  }

  public static String requireHost(String s) {
    if (!isHost(s)) {
      throw new IllegalArgumentException("not a host name (" + HOST + ")");
    }
    return s;
  }

  public static String requireInstance(String s) {
    if (!isInstance(s)) {
      throw new IllegalArgumentException("not an instance id");
    }
    return s;
  }

  public static String requireRequest(String s) {
    if (!isRequest(s)) {
      throw new IllegalArgumentException("not a request id");
    }
    return s;
  }

  public static String requireTemplate(String s) {
    if (!isTemplate(s)) {
      throw new IllegalArgumentException("not a template name");
    }
    return s;
  }
}
