package io.trynow.gateway.auth;

import java.util.regex.Pattern;

/**
 * Maps a client's {@code Idempotency-Key} to a request id and an access token, deterministically
 * and scoped to the client (its IP and API key): a retried click lands on the same request id, so
 * JetStream de-duplication and the store's per-request idempotency hand out one demo, and the retry
 * gets the same token back. Without the gateway secret neither can be derived from the key.
 */
public final class IdempotencyKeys {

  /** 16–128 visible ASCII characters without spaces (a UUID fits). */
  public static final Pattern FORMAT = Pattern.compile("[\\x21-\\x7e]{16,128}");

  /**
   * Most attempts one key is followed through: the first and up to 15 retries that each came after
   * a 503 ({@link #nextAttempt}); past them the key's answer is 409 {@code request-closed}.
   */
  public static final int MAX_ATTEMPTS = 16;

  private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

  private final Secrets.HmacKey key;

  public IdempotencyKeys(byte[] secret) {
    this.key = Secrets.hmacKey(Secrets.hmac(secret, "trynow idempotency key"));
  }

  public static boolean isValid(String idempotencyKey) {
    return idempotencyKey != null && FORMAT.matcher(idempotencyKey).matches();
  }

  /** {@code r} + 25 base32 characters (the {@link io.trynow.model.Ids#REQUEST} format). */
  public String requestId(String scope, String idempotencyKey) {
    return format(key.sign("request|" + scope + "|" + idempotencyKey));
  }

  /**
   * The request id of the next attempt of the key whose request {@code requestId} was closed
   * unserved (answered 503): as deterministic as the first, so a repeat of the retry lands on it.
   */
  public String nextAttempt(String requestId) {
    return format(key.sign("attempt|" + requestId));
  }

  private static String format(byte[] h) {
    StringBuilder sb = new StringBuilder("r");
    // 25 characters x 5 bits = 125 bits from the first 16 bytes.
    long hi = 0;
    long lo = 0;
    for (int i = 0; i < 8; i++) {
      hi = (hi << 8) | (h[i] & 0xff);
      lo = (lo << 8) | (h[i + 8] & 0xff);
    }
    for (int i = 0; i < 25; i++) {
      int v = (int) (hi >>> 59);
      sb.append(BASE32[v]);
      hi = (hi << 5) | (lo >>> 59);
      lo <<= 5;
    }
    return sb.toString();
  }

  /** The access token handed out for this key (same format as {@link AccessTokens#newToken()}). */
  public String accessToken(String scope, String idempotencyKey) {
    return Secrets.base64Url(key.sign("token|" + scope + "|" + idempotencyKey));
  }
}
