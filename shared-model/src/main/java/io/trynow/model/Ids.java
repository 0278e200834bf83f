package io.trynow.model;

import java.security.GeneralSecurityException;
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

  /**
   * DRBG (NIST SP 800-90A), seeded by the OS: no system call per id. The platform default
   * (NativePRNG) reads {@code /dev/urandom} and mixes in SHA1PRNG output under one lock on every
   * call.
   */
  private static final SecureRandom RANDOM = drbg();

  private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

  private static SecureRandom drbg() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (GeneralSecurityException e) {
      return new SecureRandom();
    }
  }

  public static String newInstanceId() {
    return "i" + random(19);
  }

  public static String newRequestId() {
    return "r" + random(25);
  }

  /**
   * {@code n} base32 characters, 5 random bits each, from one call to the generator: every gateway
   * request and every acquire makes an id, and a call per character ({@code nextInt(32)}) cost 25
   * generator calls for a request id.
   */
  static String random(int n) {
    byte[] bits = new byte[(n * 5 + 7) / 8];
    RANDOM.nextBytes(bits);
    return base32(bits, n);
  }

  /** The first {@code n} 5-bit groups of {@code bits} (most significant first), in base32. */
  static String base32(byte[] bits, int n) {
    char[] c = new char[n];
    int buffer = 0;
    int held = 0;
    int next = 0;
    for (int i = 0; i < n; i++) {
      if (held < 5) {
        buffer = (buffer << 8) | (bits[next++] & 0xff);
        held += 8;
      }
      held -= 5;
      c[i] = BASE32[(buffer >>> held) & 31];
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
