package io.trynow.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Hashing, HMAC, random tokens and constant-time comparison: the few primitives auth needs. */
public final class Secrets {

  /** DRBG: NIST SP 800-90A, seeded by the OS, no system call per token. */
  private static final SecureRandom RANDOM = drbg();

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private Secrets() {}

  private static SecureRandom drbg() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (GeneralSecurityException e) {
      return new SecureRandom();
    }
  }

  /**
   * Looked up once and cloned per call: {@code MessageDigest.getInstance} walks the security
   * providers on every call, and every acquire hashes its token.
   */
  private static final MessageDigest SHA256 = sha256Digest();

  private static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  public static byte[] sha256(byte[] data) {
    MessageDigest md;
    try {
      md = (MessageDigest) SHA256.clone();
    } catch (CloneNotSupportedException e) {
      md = sha256Digest();
    }
    return md.digest(data);
  }

  /** SHA-256 of the UTF-8 text, lower-case hex (how tokens are stored). */
  public static String sha256Hex(String text) {
    return HexFormat.of().formatHex(sha256(text.getBytes(StandardCharsets.UTF_8)));
  }

  public static byte[] hmac(byte[] key, String message) {
    return hmacKey(key).sign(message);
  }

  /** A keyed HMAC-SHA256, initialised once; {@link HmacKey#sign} is thread-safe. */
  public static HmacKey hmacKey(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return new HmacKey(mac);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }

  /** An initialised HMAC; each call works on a clone, so concurrent callers never share state. */
  public static final class HmacKey {
    private final Mac prototype;

    private HmacKey(Mac prototype) {
      this.prototype = prototype;
    }

    public byte[] sign(String message) {
      try {
        Mac mac = (Mac) prototype.clone();
        return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
      } catch (CloneNotSupportedException e) {
        throw new IllegalStateException("HmacSHA256 cannot be cloned", e);
      }
    }
  }

  /** 256 random bits, URL-safe base64 without padding (43 characters). */
  public static String randomToken() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return B64.encodeToString(b);
  }

  public static String base64Url(byte[] b) {
    return B64.encodeToString(b);
  }

  /** Constant-time equality of two strings' UTF-8 bytes (length leaks, content does not). */
  public static boolean constantTimeEquals(String a, String b) {
    if (a == null || b == null) {
      return false;
    }
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
