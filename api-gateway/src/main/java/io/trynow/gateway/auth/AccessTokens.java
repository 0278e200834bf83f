package io.trynow.gateway.auth;

import java.util.regex.Pattern;

/**
 * The visitor's access token: 256 random bits handed out once at acquire, sent back as {@code
 * Authorization: Bearer <token>}. Only its SHA-256 is stored (in the instance and request records);
 * a presented token is hashed and compared in constant time.
 */
public final class AccessTokens {

  /** 43 URL-safe base64 characters = 256 bits. */
  private static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9_-]{43}");

  private AccessTokens() {}

  public static String newToken() {
    return Secrets.randomToken();
  }

  public static String hash(String token) {
    return Secrets.sha256Hex(token);
  }

  /** True when {@code token} is well formed and hashes to {@code storedHash} (constant time). */
  public static boolean matches(String token, String storedHash) {
    if (token == null || storedHash == null || storedHash.isEmpty()) {
      return false;
    }
    // A malformed token still costs one hash, so the format check leaks nothing useful.
    String h = hash(token);
    return FORMAT.matcher(token).matches() & Secrets.constantTimeEquals(h, storedHash);
  }

  /** The token of an {@code Authorization: Bearer} header, or null. */
  public static String bearer(String authorization) {
    if (authorization == null) {
      return null;
    }
    String a = authorization.strip();
    if (a.length() < 7 || !a.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String t = a.substring(7).strip();
    return t.isEmpty() ? null : t;
  }
}
